import math

import numpy as np
import torch

from experiments.eventgen.cuts import cut_violations
from experiments.eventgen.observables import delta_r, event_observables, resonance_masses
from lorentznets.lorentz import from_pt_eta_phi_m

from .helpers import make_ttbar_events


def _events(n=400, n_extra=0):
    return torch.from_numpy(make_ttbar_events(n, n_extra)).reshape(n, 6 + n_extra, 4)


def test_resonance_masses_reconstruct_w_and_top():
    masses = resonance_masses(_events())
    for name in ("W1", "W2"):
        assert abs(masses[name].median().item() - 80.4) < 1.0
    for name in ("t1", "t2"):
        assert abs(masses[name].median().item() - 173.0) < 2.0


def test_delta_r_wraps_phi():
    jets = torch.tensor([[[50.0, 0.5, 3.0, 5.0], [40.0, -0.5, -3.0, 5.0]]], dtype=torch.float64)
    p = from_pt_eta_phi_m(jets)
    expected = math.sqrt(1.0 + (2 * math.pi - 6.0) ** 2)
    assert abs(delta_r(p, 0, 1).item() - expected) < 1e-9
    assert abs(delta_r(p, 1, 0).item() - expected) < 1e-9


def test_event_observables_cover_every_jet_and_pair():
    obs = event_observables(_events(50, n_extra=1))
    n_jets = 7
    assert len(obs) == 4 * n_jets + 4 + n_jets * (n_jets - 1) // 2
    assert {"pt_b1", "m_q4", "phi_j1", "m_t2", "dR_b1_j1"} <= set(obs)
    assert all(v.shape == (50,) and torch.isfinite(v).all() for v in obs.values())
    assert (obs["pt_q1"] > 25).all()


def test_cut_violations_counts_events():
    p = _events(10)
    assert cut_violations(p, 25.0, 2.5)["frac_any"] == 0.0
    bad = p.clone()
    bad[0, 2] = from_pt_eta_phi_m(torch.tensor([20.0, 0.0, 0.0, 5.0], dtype=torch.float64))
    bad[1, 0] = from_pt_eta_phi_m(torch.tensor([60.0, 3.0, 0.0, 5.0], dtype=torch.float64))
    bad[2, 0] = float("nan")
    out = cut_violations(bad, 25.0, 2.5, delta_r_min=0.0)
    assert out == {
        "frac_nonfinite": 0.1,
        "frac_pt": 0.1,
        "frac_eta": 0.1,
        "frac_delta_r": 0.0,
        "frac_any": 0.3,
    }
    assert cut_violations(p, 25.0, 2.5, delta_r_min=10.0)["frac_delta_r"] == 1.0
    assert np.isclose(cut_violations(p, 1e4, 2.5)["frac_pt"], 1.0)
