import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest

from lorentznets.data.convert import convert_landscape, iter_lgn_chunks
from lorentznets.data.convert.__main__ import main

pytest.importorskip("tables", reason="pandas needs 'tables' to write the landscape test files")

REPO = Path(__file__).resolve().parents[3]


def landscape_file(path, n_jets=37, n_slots=200, seed=0, nan_jet=None):
    """A landscape file as released: float32 kinematics, hardest constituent first."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, 60, size=n_jets)
    p3 = rng.normal(size=(n_jets, n_slots, 3)) * 30
    p3[..., 2] += 300
    momenta = np.concatenate([np.linalg.norm(p3, axis=-1, keepdims=True), p3], axis=-1)
    momenta[np.arange(n_slots) >= counts[:, None]] = 0
    pt = np.where(momenta[..., 0] > 0, np.hypot(momenta[..., 1], momenta[..., 2]), -1)
    momenta = np.take_along_axis(momenta, np.argsort(-pt, axis=1)[..., None], axis=1).astype(np.float32)
    if nan_jet is not None:
        momenta[nan_jet, 0, 0] = np.nan
    labels = rng.integers(0, 2, size=n_jets)
    truth = (rng.normal(size=(n_jets, 4)) * 100).astype(np.float32)
    columns = {f"{c}_{i}": momenta[:, i, k] for k, c in enumerate(["E", "PX", "PY", "PZ"]) for i in range(n_slots)}
    columns |= {name: truth[:, k] for k, name in enumerate(["truthE", "truthPX", "truthPY", "truthPZ"])}
    columns |= {"ttv": np.zeros(n_jets, dtype=np.int64), "is_signal_new": labels}
    pd.DataFrame(columns).to_hdf(path, key="table")
    return momenta, labels, truth


def test_convert_writes_lgn_layout(tmp_path):
    momenta, labels, truth = landscape_file(tmp_path / "test.h5")
    count = convert_landscape(tmp_path / "test.h5", tmp_path / "out.h5", chunk_size=10)
    assert count == 37
    with h5py.File(tmp_path / "out.h5", "r") as file:
        assert set(file) == {"Nobj", "Pmu", "label", "is_signal", "truth_Pmu", "jet_pt", "mass"}
        np.testing.assert_array_equal(file["Pmu"][()], momenta)
        assert file["Pmu"].dtype == np.float32
        np.testing.assert_array_equal(file["label"][()], (momenta != 0).any(-1))
        np.testing.assert_array_equal(file["Nobj"][()], (momenta != 0).any(-1).sum(1))
        np.testing.assert_array_equal(file["is_signal"][()], labels)
        np.testing.assert_array_equal(file["truth_Pmu"][()], truth)
        jet = momenta.astype(np.float64).sum(1)
        np.testing.assert_allclose(file["jet_pt"][()], np.hypot(jet[:, 1], jet[:, 2]))
        m2 = jet[:, 0] ** 2 - (jet[:, 1:] ** 2).sum(1)
        np.testing.assert_allclose(file["mass"][()], np.sqrt(np.clip(m2, 0, None)))
    # The converted file reads back as the same jets.
    chunks = list(iter_lgn_chunks(tmp_path / "out.h5", max_particles=200, chunk_size=16))
    np.testing.assert_array_equal(np.concatenate([c.momenta for c in chunks]), momenta)


def test_max_jets_and_max_particles(tmp_path):
    momenta, labels, _ = landscape_file(tmp_path / "t.h5", n_jets=12)
    convert_landscape(tmp_path / "t.h5", tmp_path / "o.h5", max_particles=30, max_jets=5)
    with h5py.File(tmp_path / "o.h5", "r") as file:
        np.testing.assert_array_equal(file["Pmu"][()], momenta[:5, :30])
        np.testing.assert_array_equal(file["is_signal"][()], labels[:5])


def test_nan_leaves_no_output(tmp_path):
    landscape_file(tmp_path / "bad.h5", nan_jet=30)
    with pytest.raises(
        ValueError,
        match=r"bad\.h5: key 'E_\*/PX_\*/PY_\*/PZ_\* columns' has NaN/inf values in 1 jet\(s\); first bad jet index 30",
    ):
        convert_landscape(tmp_path / "bad.h5", tmp_path / "out.h5", chunk_size=8)
    assert not (tmp_path / "out.h5").exists()
    assert not (tmp_path / "out.h5.partial").exists()


def test_cli(tmp_path, capsys):
    momenta, _, _ = landscape_file(tmp_path / "val.h5", n_jets=5)
    assert main(["landscape", str(tmp_path / "val.h5"), str(tmp_path / "val_lgn.h5"), "--max-particles", "20"]) == 0
    assert "wrote 5 jets" in capsys.readouterr().out
    with h5py.File(tmp_path / "val_lgn.h5", "r") as file:
        assert file["Pmu"].shape == (5, 20, 4)
    assert main(["landscape", str(tmp_path / "none.h5"), str(tmp_path / "x.h5")]) == 1
    assert "none.h5: no such file" in capsys.readouterr().err


def test_cli_as_module(tmp_path):
    landscape_file(tmp_path / "in.h5", n_jets=3)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lorentznets.data.convert",
            "landscape",
            str(tmp_path / "in.h5"),
            str(tmp_path / "out.h5"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "wrote 3 jets" in result.stdout
