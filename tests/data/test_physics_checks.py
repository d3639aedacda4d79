"""Physics checks at the data boundary: every reader rejects unphysical constituents, naming the
file, the key, the count and the first bad jet and particle (as stored in the file)."""

from pathlib import Path

import awkward as ak
import h5py
import numpy as np
import pandas as pd
import pytest
import uproot

from lorentznets.data.convert.weaver_pid import WEAVER_PID_FLAGS
from lorentznets.data.physics_checks import check_derived_momenta, check_four_momenta
from lorentznets.data.readers import load_jets


def _jets() -> tuple[np.ndarray, np.ndarray]:
    """3 jets x 4 slots of massless constituents (E, px, py, pz); jet j has j + 2 constituents."""
    p = np.zeros((3, 4, 4))
    mask = np.arange(4)[None, :] < np.array([2, 3, 4])[:, None]
    p[..., 1], p[..., 3] = 3.0, 4.0
    p[..., 0] = 5.0
    p[~mask] = 0.0
    return p, mask


def _write_lgn(path: Path, p: np.ndarray, mask: np.ndarray) -> Path:
    with h5py.File(path, "w") as file:
        file["Nobj"] = mask.sum(axis=1)
        file["Pmu"] = p
        file["is_signal"] = np.array([0, 1, 0])
        file["label"] = mask.astype(np.int64)
    return path


def test_lgn_negative_energy(tmp_path):
    p, mask = _jets()
    p[1, 2, 0] = -5.0
    path = _write_lgn(tmp_path / "jets.h5", p, mask)
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value) == (
        f"{path}: key 'Pmu' has negative energy in 1 constituent(s); first at jet 1, particle 2: "
        "(E, px, py, pz) = (-5, 3, 0, 4) GeV"
    )


def test_lgn_masked_in_zero_momentum(tmp_path):
    p, mask = _jets()
    p[2, 3] = 0.0
    path = _write_lgn(tmp_path / "jets.h5", p, mask)
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value) == (
        f"{path}: key 'Pmu' has all-zero four-momenta marked as real by the mask in 1 constituent(s); "
        "first at jet 2, particle 3: (E, px, py, pz) = (0, 0, 0, 0) GeV"
    )


def test_lgn_absurd_magnitude(tmp_path):
    p, mask = _jets()
    p[0, 1] = [5e7, 3e7, 0.0, 4e7]
    path = _write_lgn(tmp_path / "jets.h5", p, mask)
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value) == (
        f"{path}: key 'Pmu' has components above 1e+06 GeV in 1 constituent(s); first at jet 0, "
        "particle 1: (E, px, py, pz) = (5e+07, 3e+07, 0, 4e+07) GeV"
    )


def test_lgatr_spacelike_beyond_rounding(tmp_path):
    p, mask = _jets()
    p[1, 0, 0] = 1.0
    p[2, 0, 0] = 1.0
    path = tmp_path / "top.npz"
    np.savez(path, kinematics_test=p.astype(np.float32), labels_test=np.array([0, 1, 0]))
    with pytest.raises(ValueError) as error:
        load_jets(path, split="test")
    assert str(error.value) == (
        f"{path}: key 'kinematics_test' has spacelike four-momenta beyond rounding (m^2 < -0.001 E^2) "
        "in 2 constituent(s); first at jet 1, particle 0: (E, px, py, pz) = (1, 3, 0, 4) GeV, m^2/E^2 = -24"
    )


def test_spacelike_within_rounding_is_accepted(tmp_path):
    """Massless constituents from (pt, eta, phi) in float32 are spacelike by rounding, and fine."""
    rng = np.random.default_rng(0)
    pt, eta, phi = rng.uniform(1, 500, (50, 20)), rng.uniform(-2.5, 2.5, (50, 20)), rng.uniform(-3, 3, (50, 20))
    p = np.stack([pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], -1).astype(np.float32)
    p[..., 0] *= np.float32(1 - 1e-6)
    m2 = p[..., 0].astype(np.float64) ** 2 - (p[..., 1:].astype(np.float64) ** 2).sum(-1)
    assert (m2 < 0).any()
    np.savez(tmp_path / "top.npz", kinematics_test=p, labels_test=np.zeros(50, dtype=np.int64))
    data = load_jets(tmp_path / "top.npz", split="test", max_particles=20)
    assert data.mask.all()


def test_energyflow_huge_rapidity_gives_nonfinite_momenta(tmp_path):
    particles = np.zeros((2, 3, 4))
    particles[:, :2] = [500.0, 0.1, 1.0, 211.0]
    particles[1, 1, 1] = 800.0
    path = tmp_path / "qg.npz"
    np.savez(path, X=particles, y=np.array([1, 0]))
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value) == (
        f"{path}: key 'X': converting (pt, y, phi, pid) to (E, px, py, pz) gives non-finite values for "
        "1 constituent(s); first at jet 1, particle 1: (pt, y, phi, pid) = (500, 800, 1, 211)"
    )


def test_jetclass_masked_in_zero_momentum(tmp_path):
    counts = np.array([2, 3])
    energy = [[5.0, 5.0], [5.0, 0.0, 5.0]]
    px = [[3.0, 3.0], [3.0, 0.0, 3.0]]
    pz = [[4.0, 4.0], [4.0, 0.0, 4.0]]
    zeros = [[0.0] * n for n in counts]
    branches = {"part_energy": energy, "part_px": px, "part_py": zeros, "part_pz": pz}
    for name in WEAVER_PID_FLAGS:
        branches[name] = zeros
    branches = {name: ak.Array(values) for name, values in branches.items()}
    for name in ("label_QCD", "label_Hbb", "label_Hcc", "label_Hgg", "label_H4q", "label_Hqql"):
        branches[name] = np.array([name == "label_QCD"] * 2)
    for name in ("label_Zqq", "label_Wqq", "label_Tbqq", "label_Tbl"):
        branches[name] = np.zeros(2, dtype=bool)
    path = tmp_path / "QCD_000.root"
    with uproot.recreate(path) as file:
        file["tree"] = branches
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value) == (
        f"{path}: key 'part_energy/part_px/part_py/part_pz' has all-zero four-momenta marked as real by "
        "the mask in 1 constituent(s); first at jet 1, particle 1: (E, px, py, pz) = (0, 0, 0, 0) GeV"
    )


def test_landscape_negative_energy(tmp_path):
    pytest.importorskip("tables", reason="pandas needs 'tables' to write the landscape test file")
    p, _ = _jets()
    p[0, 0, 0] = -5.0
    columns = {f"{name}_{i}": p[:, i, c] for c, name in enumerate(["E", "PX", "PY", "PZ"]) for i in range(4)}
    columns.update({name: np.zeros(3) for name in ("truthE", "truthPX", "truthPY", "truthPZ")})
    columns.update(ttv=np.zeros(3, dtype=np.int64), is_signal_new=np.array([0, 1, 0]))
    path = tmp_path / "test.h5"
    pd.DataFrame(columns).to_hdf(path, key="table")
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value) == (
        f"{path}: key 'E_*/PX_*/PY_*/PZ_* columns' has negative energy in 1 constituent(s); first at jet 0, "
        "particle 0: (E, px, py, pz) = (-5, 3, 0, 4) GeV"
    )


def test_check_four_momenta_nonfinite_and_offset():
    p, mask = _jets()
    p[2, 1, 3] = np.inf
    with pytest.raises(ValueError) as error:
        check_four_momenta(p, mask, "f.h5", "Pmu", offset=100)
    assert str(error.value) == (
        "f.h5: key 'Pmu' has non-finite (NaN/inf) components in 1 constituent(s); first at jet 102, "
        "particle 1: (E, px, py, pz) = (5, 3, 0, inf) GeV"
    )


def test_masked_out_entries_are_not_checked():
    p, mask = _jets()
    p[~mask] = [-1.0, np.nan, 2e7, 0.0]
    check_four_momenta(p, mask, "f.h5", "Pmu")


def test_check_derived_momenta_names_the_inputs():
    inputs = np.array([[[30.0, 1e4, 0.5, 0.0]]])
    with np.errstate(over="ignore"):
        p = np.stack([np.cosh(inputs[..., 1]) * 30.0, inputs[..., 0], inputs[..., 0], np.sinh(inputs[..., 1])], -1)
    with pytest.raises(ValueError) as error:
        check_derived_momenta(inputs, p, np.array([[True]]), "t.h5", "INPUTS/Source", ("pt", "eta", "phi", "mass"))
    assert str(error.value) == (
        "t.h5: key 'INPUTS/Source': converting (pt, eta, phi, mass) to (E, px, py, pz) gives non-finite values "
        "for 1 constituent(s); first at jet 0, particle 0: (pt, eta, phi, mass) = (30, 10000, 0.5, 0)"
    )
