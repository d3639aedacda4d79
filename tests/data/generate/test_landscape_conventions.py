"""Generated top-tagging files follow the landscape conventions that docs/data.md claims."""

import json

import awkward as ak
import h5py
import numpy as np
import pytest
import vector

from lorentznets.data.generate.cli import main
from lorentznets.data.generate.constituent_mass import apply_constituent_mass
from lorentznets.data.generate.kinematics import delta_r, pt_eta_phi_m

vector.register_awkward()

FLOAT32_EPS = np.finfo(np.float32).eps
CHARGED_PION_MASS = 0.13957


def test_constituents_follow_the_landscape_conventions(toptagging_file):
    with h5py.File(toptagging_file) as f:
        settings = json.loads(f.attrs["generator_settings"])
        assert f.attrs["constituent_mass"] == "massless"
        pmu, nobj, label = f["Pmu"][:].astype(np.float64), f["Nobj"][:], f["label"][:]
        jet_pt, mass, signal = f["jet_pt"][:], f["mass"][:], f["is_signal"][:] == 1
        truth = f["truth_Pmu"][:].astype(np.float64)
    assert (settings["jet_radius"], settings["max_constituents"]) == (0.8, 200)
    # At most 200 constituents, real ones first, zero padding after.
    assert pmu.shape[1:] == (200, 4) and np.all((nobj > 0) & (nobj <= 200))
    np.testing.assert_array_equal(label, np.arange(200)[None, :] < nobj[:, None])
    assert np.all(pmu[~label] == 0)
    # Massless energy-flow-like objects: E = |p| for every real constituent, to float32 rounding.
    energy, momentum = pmu[..., 0][label], np.linalg.norm(pmu[..., 1:], axis=-1)[label]
    assert np.all(energy > 0)
    np.testing.assert_array_less(np.abs(energy - momentum), 4 * FLOAT32_EPS * energy)
    # By decreasing pT (ties may swap by float32 rounding).
    pt = np.hypot(pmu[..., 1], pmu[..., 2])
    assert np.all(np.diff(pt, axis=1) <= 4 * FLOAT32_EPS * pt[:, :-1])
    # The leading jet in 550 < pT < 650 GeV and |eta| < 2, its stored pT and mass those of the
    # (massless) constituents' sum.
    jet = pmu.sum(axis=1)
    jet_pt_sum = np.hypot(jet[:, 1], jet[:, 2])
    assert np.all((jet_pt > 550) & (jet_pt < 650)) and np.all(np.abs(np.arcsinh(jet[:, 3] / jet_pt_sum)) < 2)
    np.testing.assert_allclose(jet_pt_sum, jet_pt, rtol=1e-4)
    np.testing.assert_allclose(np.sqrt(jet[:, 0] ** 2 - (jet[:, 1:] ** 2).sum(axis=1)), mass, rtol=1e-3)
    # Top jets have their truth top within dR < 0.8 of the jet axis; QCD jets have none.
    top, axis = pt_eta_phi_m(truth[signal]), pt_eta_phi_m(jet[signal])
    assert np.all(delta_r(top[:, 1], top[:, 2], axis[:, 1], axis[:, 2]) < 0.8)
    assert np.all(truth[~signal] == 0)


def _objects():
    px, py, pz = [[1.0, -2.0], []], [[0.5, 0.0], []], [[3.0, -1.0], []]
    energy = [[4.0, 3.0], []]
    return ak.zip({"px": px, "py": py, "pz": pz, "E": energy, "id": [[211, 2212], []]}, with_name="Momentum4D")


def test_massless_convention_keeps_the_three_momentum():
    objects = apply_constituent_mass(_objects(), "massless")
    assert objects.layout.purelist_parameter("__record__") == "Momentum4D"
    assert ak.to_list(objects.id) == [[211, 2212], []] and ak.to_list(objects.pz) == [[3.0, -1.0], []]
    np.testing.assert_allclose(ak.to_numpy(ak.flatten(objects.E)), [np.sqrt(1 + 0.25 + 9), np.sqrt(5)])
    np.testing.assert_allclose(ak.to_numpy(ak.flatten(objects.mass)), 0.0, atol=1e-7)
    assert ak.to_list(apply_constituent_mass(_objects(), "particle").E) == [[4.0, 3.0], []]
    with pytest.raises(ValueError, match="'hadron' is not one of"):
        apply_constituent_mass(_objects(), "hadron")


@pytest.mark.slow
def test_particle_option_keeps_hadron_masses(tmp_path):
    path = tmp_path / "particle.h5"
    main(
        ["toptagging", "--n", "4", "--chunk-size", "4", "--batch", "100", "--seed", "2"]
        + ["--constituent-mass", "particle", "--out", str(path)]
    )
    with h5py.File(path) as f:
        assert f.attrs["constituent_mass"] == "particle"
        p, label = f["Pmu"][:].astype(np.float64), f["label"][:]
    m = np.sqrt(np.clip(p[..., 0] ** 2 - (p[..., 1:] ** 2).sum(axis=-1), 0, None))[label]
    # Most charged constituents are pions; photons stay massless.
    assert np.mean(np.abs(m - CHARGED_PION_MASS) < 2e-3) > 0.3
