import json

import h5py
import numpy as np

from lorentznets.data.generate.cli import main
from lorentznets.data.generate.detector import DetectorSettings


def test_layout_and_balance(toptagging_file):
    with h5py.File(toptagging_file) as f:
        n = len(f["Nobj"])
        assert n == 200
        assert f["Pmu"].shape == (n, 200, 4) and f["Pmu"].dtype == np.float32
        assert f["label"].shape == (n, 200) and f["label"].dtype == bool
        assert f["truth_Pmu"].shape == (n, 4)
        assert f["is_signal"][:].sum() == n // 2
        assert f.attrs["rows_done"] == n and f.attrs["chunks_done"] == 2
        nobj, label, pmu = f["Nobj"][:], f["label"][:], f["Pmu"][:].astype(np.float64)
        np.testing.assert_array_equal(label.sum(axis=1), nobj)
        assert np.all(pmu[~label] == 0)
        assert np.all(pmu[label][:, 0] > 0)
        pt = np.hypot(pmu[..., 1], pmu[..., 2])
        assert np.all(np.diff(pt, axis=1) <= 1e-3)
        jet = pmu.sum(axis=1)
        np.testing.assert_allclose(np.hypot(jet[:, 1], jet[:, 2]), f["jet_pt"][:], rtol=1e-4)
        assert np.all((f["jet_pt"][:] > 550) & (f["jet_pt"][:] < 650))
        assert np.all(f["weight"][:] > 0)


def test_physical_mass_shapes(toptagging_file):
    with h5py.File(toptagging_file) as f:
        mass, signal = f["mass"][:], f["is_signal"][:] == 1
        truth = f["truth_Pmu"][:].astype(np.float64)
    top_mass = mass[signal]
    assert 165 < np.median(top_mass) < 185
    assert np.mean((top_mass > 135) & (top_mass < 210)) > 0.6
    assert np.median(mass[~signal]) < 120
    assert np.all(truth[~signal] == 0)
    truth_mass = np.sqrt(truth[signal, 0] ** 2 - (truth[signal, 1:] ** 2).sum(axis=1))
    np.testing.assert_allclose(np.median(truth_mass), 172.5, atol=3)


def test_detector_level_jets(toptagging_detector_file):
    with h5py.File(toptagging_detector_file) as f:
        settings = json.loads(f.attrs["generator_settings"])
        mass, signal = f["mass"][:], f["is_signal"][:] == 1
        pmu, label = f["Pmu"][:].astype(np.float64), f["label"][:]
        jet_pt = f["jet_pt"][:]
    assert settings["detector"] == DetectorSettings().as_dict() and settings["constituent_mass"] == "particle"
    assert np.all((jet_pt > 550) & (jet_pt < 650))
    # Towers are massless and sit on the calorimeter grid: many constituents have m = 0 exactly
    # up to float32 rounding, while the tracks keep their hadron masses.
    p = pmu[label]
    massless = np.abs(p[:, 0] ** 2 - (p[:, 1:] ** 2).sum(axis=1)) < 1e-5 * p[:, 0] ** 2
    assert 0.2 < np.mean(massless) < 0.9
    assert 160 < np.median(mass[signal]) < 185
    assert np.median(mass[~signal]) < 120


def test_file_depends_only_on_seed_not_on_workers(toptagging_detector_file, tmp_path):
    # Same settings as the fixture, two worker processes instead of one: the jet veto (Pythia
    # hook) and the detector's random numbers (seeded per chunk and class) must not change a bit.
    path = tmp_path / "again.h5"
    main(
        ["toptagging", "--n", "160", "--chunk-size", "80", "--seed", "4", "--detector", "--workers", "2"]
        + ["--constituent-mass", "particle", "--out", str(path)]
    )
    with h5py.File(toptagging_detector_file) as first, h5py.File(path) as second:
        assert set(first) == set(second)
        for key in first:
            np.testing.assert_array_equal(first[key][:], second[key][:], err_msg=key)
