import re

import h5py
import numpy as np
import pytest

from lorentznets.data.convert import convert_energyflow, energyflow_chunks, iter_energyflow_chunks
from lorentznets.data.convert.__main__ import main
from lorentznets.data.readers import energyflow_npz, load_jets


def quark_gluon_file(path, n_jets=21, n_slots=9, seed=0):
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, n_slots + 1, size=n_jets)
    X = np.stack(
        [
            rng.exponential(30.0, size=(n_jets, n_slots)) + 1.0,
            rng.normal(0.0, 0.2, size=(n_jets, n_slots)),
            rng.uniform(0.0, 6.0, size=(n_jets, n_slots)),
            rng.choice([22.0, 211.0, -211.0, 130.0, 2212.0], size=(n_jets, n_slots)),
        ],
        axis=-1,
    )
    X[np.arange(n_slots) >= counts[:, None]] = 0.0
    y = rng.integers(0, 2, size=n_jets).astype(float)
    np.savez_compressed(path, X=X, y=y)
    return X, y, counts


def test_convert_writes_momenta_scalars_and_labels(tmp_path):
    X, y, counts = quark_gluon_file(tmp_path / "QG_jets.npz")
    assert convert_energyflow(tmp_path / "QG_jets.npz", tmp_path / "qg.h5", chunk_size=5) == 21
    expected = np.concatenate([c.momenta for c in iter_energyflow_chunks(tmp_path / "QG_jets.npz")])
    with h5py.File(tmp_path / "qg.h5", "r") as file:
        assert set(file) == {"Nobj", "Pmu", "label", "is_signal", "scalars", "jet_pt", "mass"}
        assert file["Pmu"].shape == (21, 9, 4) and file["Pmu"].dtype == np.float64
        np.testing.assert_array_equal(file["Pmu"][()], expected)
        np.testing.assert_array_equal(file["Nobj"][()], counts)
        np.testing.assert_array_equal(file["is_signal"][()], y)
        assert file["scalars"].shape == (21, 9, 9)
        pt = np.hypot(file["Pmu"][..., 1], file["Pmu"][..., 2])
        # pT sorted in decreasing order and equal to the input pT values.
        assert (np.diff(pt, axis=1) <= 1e-12).all()
        np.testing.assert_allclose(np.sort(pt, axis=1), np.sort(X[..., 0], axis=1), atol=1e-9)
        np.testing.assert_array_equal(file["scalars"][..., 1:].sum(-1), file["label"][()])


@pytest.mark.parametrize(("name", "typo"), [("constituent_mass", "masless"), ("pid_features", "weavr")])
def test_every_energyflow_read_refuses_an_unknown_option_on_the_call(tmp_path, name, typo):
    """The chunks take the options as given (a typo would read as the other choice), so every
    public path checks them once, when called: the chunk generators raise before being iterated."""
    X, y, _ = quark_gluon_file(tmp_path / "QG_jets.npz")
    npz, h5 = tmp_path / "QG_jets.npz", tmp_path / "qg.h5"
    with h5py.File(h5, "w") as file:
        file["X"], file["y"] = X, y
    option = {name: typo}
    calls = {
        "energyflow_chunks": lambda: energyflow_chunks(npz, [(0, X, y)], 9, **option),
        "iter_energyflow_chunks": lambda: iter_energyflow_chunks(npz, **option),
        "read npz": lambda: energyflow_npz.read(npz, None, 9, None, **option),
        "read h5": lambda: energyflow_npz.read(h5, None, 9, None, **option),
        "read_range": lambda: energyflow_npz.read_range(h5, 2, 5, 9, **option),
    }
    for call in calls.values():
        with pytest.raises(ValueError, match=rf"^{name}='{typo}': expected one of \["):
            call()


def test_cli_with_max_particles(tmp_path, capsys):
    quark_gluon_file(tmp_path / "QG_jets_1.npz")
    argv = ["energyflow", str(tmp_path / "QG_jets_1.npz"), str(tmp_path / "o.h5"), "--max-particles", "4"]
    assert main(argv) == 0
    with h5py.File(tmp_path / "o.h5", "r") as file:
        assert file["Pmu"].shape == (21, 4, 4)
        assert (file["Nobj"][()] <= 4).all()


def test_cli_reports_missing_key(tmp_path, capsys):
    np.savez(tmp_path / "bad.npz", X=np.zeros((2, 3, 4)))
    assert main(["energyflow", str(tmp_path / "bad.npz"), str(tmp_path / "o.h5")]) == 1
    assert "bad.npz: missing key 'y'; keys present: ['X']" in capsys.readouterr().err
    assert not (tmp_path / "o.h5").exists()


def test_unknown_converter_is_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["jetclass", "a", "b"])
    assert "invalid choice" in capsys.readouterr().err


def test_cli_never_writes_over_its_input_or_an_existing_output(tmp_path, capsys):
    source = tmp_path / "QG_jets_1.npz"
    quark_gluon_file(source)
    before = source.read_bytes()
    with pytest.raises(SystemExit) as exit_info:
        main(["energyflow", str(source), str(tmp_path / "." / "QG_jets_1.npz"), "--overwrite"])
    assert exit_info.value.code == 2
    assert "is the input" in capsys.readouterr().err
    assert source.read_bytes() == before
    assert main(["energyflow", str(source), str(tmp_path / "o.h5")]) == 0
    with pytest.raises(SystemExit):
        main(["energyflow", str(source), str(tmp_path / "o.h5")])
    assert "o.h5 exists: pass --overwrite to replace it" in capsys.readouterr().err
    assert main(["energyflow", str(source), str(tmp_path / "o.h5"), "--overwrite", "--max-jets", "3"]) == 0
    with h5py.File(tmp_path / "o.h5", "r") as file:
        assert file["Pmu"].shape[0] == 3


@pytest.mark.parametrize(("option", "value"), [("--chunk-size", "0"), ("--max-jets", "-3"), ("--max-particles", "0")])
def test_cli_refuses_non_positive_counts(tmp_path, capsys, option, value):
    quark_gluon_file(tmp_path / "q.npz")
    with pytest.raises(SystemExit) as exit_info:
        main(["energyflow", str(tmp_path / "q.npz"), str(tmp_path / "o.h5"), option, value])
    assert exit_info.value.code == 2
    assert f"argument {option}: expected a positive integer, got {value}" in capsys.readouterr().err


def test_cli_reports_a_file_that_is_no_npz_archive(tmp_path, capsys):
    (tmp_path / "bad.npz").write_text("hello")
    assert main(["energyflow", str(tmp_path / "bad.npz"), str(tmp_path / "o.h5")]) == 1
    assert "bad.npz: cannot read it as an .npz archive: File is not a zip file" in capsys.readouterr().err


def test_cli_carries_weight_and_pthat_to_the_output(tmp_path):
    X, y, _ = quark_gluon_file(tmp_path / "qg.npz")
    weight, pthat = np.linspace(0.1, 4.0, 21), np.linspace(300.0, 900.0, 21)
    np.savez(tmp_path / "qg_w.npz", X=X, y=y, weight=weight, pthat=pthat)
    assert main(["energyflow", str(tmp_path / "qg_w.npz"), str(tmp_path / "o.h5"), "--chunk-size", "5"]) == 0
    np.testing.assert_array_equal(load_jets(tmp_path / "o.h5").weights.numpy(), weight)
    np.testing.assert_array_equal(load_jets(tmp_path / "qg_w.npz").weights.numpy(), weight)
    with h5py.File(tmp_path / "o.h5", "r") as file:
        assert file["weight"].dtype == np.float64 and file["pthat"].dtype == np.float32
        np.testing.assert_array_equal(file["pthat"][()], pthat.astype(np.float32))
    assert (
        main(["energyflow", str(tmp_path / "qg_w.npz"), str(tmp_path / "o.h5"), "--overwrite", "--max-jets", "4"]) == 0
    )
    np.testing.assert_array_equal(load_jets(tmp_path / "o.h5").weights.numpy(), weight[:4])


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("weight", -0.5, r"key 'weight' has negative weights in 1 jet\(s\); first bad jet index 13 \(weight -0\.5\)"),
        ("pthat", np.nan, r"key 'pthat' has NaN/inf pTHat values in 1 jet\(s\); first bad jet index 13"),
    ],
)
def test_cli_refuses_bad_weights_naming_file_key_and_jet(tmp_path, capsys, key, bad, message):
    X, y, _ = quark_gluon_file(tmp_path / "qg.npz")
    values = {"weight": np.ones(21), "pthat": np.full(21, 400.0)}
    values[key][13] = bad
    np.savez(tmp_path / "bad_w.npz", X=X, y=y, **values)
    assert main(["energyflow", str(tmp_path / "bad_w.npz"), str(tmp_path / "o.h5")]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert re.search(r"bad_w\.npz: " + message, err)
    assert not (tmp_path / "o.h5").exists()
