"""Regression: event-generation numbers at a pinned event.

Values computed with the code when this file was written. A change in the flow coordinates, their
Jacobian, the base density, the observables, the ODE solver or the likelihood (sign or time
conventions) shows up here. Every value has an independent analytic test in tests/flows or
tests/experiments/eventgen; this file guards against silent drifts.
"""

import torch

from experiments.eventgen.observables import event_observables
from lorentznets.flows import (
    PERIODIC_COMPONENTS,
    GaussianUniformBase,
    JetCoordinates,
    flow_log_likelihood,
    transport,
)
from lorentznets.lorentz import from_pt_eta_phi_m

# (pt [GeV], eta, phi, m [GeV]) of b1, q1, q2, b2, q3, q4.
JETS = [
    [120.0, 0.3, 0.1, 12.0],
    [80.0, -1.2, 2.0, 8.0],
    [45.0, 0.8, -2.5, 6.0],
    [150.0, 1.5, 3.0, 15.0],
    [60.0, -0.4, -1.0, 7.0],
    [30.0, 2.2, 1.7, 4.0],
]
X = [
    [4.553876891600541, 0.3, 0.1, 4.969882741609291],
    [4.007333185232471, -1.2, 2.0, 4.159039321153969],
    [2.995732273553991, 0.8, -2.5, 3.583796677660771],
    [4.8283137373023015, 1.5, 3.0, 5.41614484566124],
    [3.5553480614894135, -0.4, -1.0, 3.8920243589214563],
    [1.6094379124340996, 2.2, 1.7, 2.773213527008396],
]
LOG_DET = 67.64947806565998
BASE_LOG_PROB = -127.94238732980865
OBSERVABLES = {
    "m_W1": 169.7606320444756,
    "m_W2": 166.73007436175615,
    "m_t1": 319.5849120819527,
    "m_t2": 332.6163564359993,
    "dR_b1_q1": 2.420743687382041,
    "dR_q3_q4": 3.7483329627982624,
}
LOG_LIKELIHOOD = -97.43795902662274
TRANSPORTED = [
    [5.552090006271915, 0.8427102851550398, 0.6447421119159809, 5.523342811835246],
    [5.005930875654526, -1.6662471839164412, 1.3880528024774907, 4.711742284135784],
]

A = torch.tensor(
    [[0.5, -0.3, 0.0, 0.2], [0.1, 0.4, -0.2, 0.0], [0.0, 0.3, -0.5, 0.1], [-0.2, 0.0, 0.1, 0.3]], dtype=torch.float64
)
B = torch.tensor([0.3, -0.1, 0.2, 0.05], dtype=torch.float64)


def _field(t, x):
    return torch.tanh(x @ A.T + t[:, None, None] * B)


def _event():
    p = from_pt_eta_phi_m(torch.tensor([JETS], dtype=torch.float64))
    coordinates = JetCoordinates(6, pt_min=25.0)
    return p, coordinates, coordinates.fourmomenta_to_x(p)


def test_coordinates_and_jacobian():
    _, coordinates, x = _event()
    torch.testing.assert_close(x[0], torch.tensor(X, dtype=torch.float64), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(coordinates.log_abs_det_jacobian(x), torch.tensor([LOG_DET], dtype=torch.float64))


def test_observables():
    p, _, _ = _event()
    obs = event_observables(p)
    for name, value in OBSERVABLES.items():
        assert abs(obs[name].item() - value) < 1e-10 * max(1.0, abs(value)), name


def test_base_density_likelihood_and_transport():
    _, _, x = _event()
    base = GaussianUniformBase(PERIODIC_COMPONENTS, (6, 4))
    assert abs(base.log_prob(x).item() - BASE_LOG_PROB) < 1e-10
    solver = {"method": "rk4", "steps": 10}
    log_p = flow_log_likelihood(_field, base, x, solver, "exact")
    assert abs(log_p.item() - LOG_LIKELIHOOD) < 1e-9
    moved = transport(_field, x, base.periodic, 0.0, 1.0, solver)
    torch.testing.assert_close(moved[0, :2], torch.tensor(TRANSPORTED, dtype=torch.float64), rtol=1e-10, atol=1e-10)
