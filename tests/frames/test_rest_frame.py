"""The boost of whole events to the rest frame of their total momentum (float64, any input)."""

import torch

from lorentznets.frames import boost_events, rest_frame_boost, to_total_rest_frame, total_rest_boost
from lorentznets.lorentz import boost_matrix, minkowski_metric

from .conftest import massive_momenta


def _lorentz_violation(matrices: torch.Tensor) -> torch.Tensor:
    g = minkowski_metric(torch.float64)
    return (matrices.mT @ g @ matrices - g).abs().amax((-1, -2))


def test_boost_to_rest_of_boosted_events(mask):
    # events at rapidity 6 along an oblique axis, padded slots holding NaN
    boost = boost_matrix(torch.tensor(6.0, dtype=torch.float64), torch.tensor([0.6, 0.0, 0.8], dtype=torch.float64))
    momenta = massive_momenta(2, 7, seed=3) @ boost.mT
    momenta[~mask] = float("nan")
    to_rest = total_rest_boost(momenta, mask)
    assert to_rest.dtype == torch.float64 and not to_rest.requires_grad
    total = torch.where(mask[..., None], momenta, 0.0).sum(1)
    # two constructions of one boost: they differ by rounding of the mass, ~ gamma^2 2e-16 relative
    torch.testing.assert_close(to_rest, rest_frame_boost(total), rtol=1e-10, atol=1e-10)
    assert _lorentz_violation(to_rest).max() < 1e-9  # entries ~ cosh(6) = 202
    at_rest = torch.einsum("bij,bj->bi", to_rest, total)
    mass = (total[:, 0].square() - total[:, 1:].square().sum(-1)).sqrt()
    torch.testing.assert_close(at_rest, torch.stack((mass, *3 * [torch.zeros_like(mass)]), -1), rtol=1e-9, atol=1e-6)
    single = to_total_rest_frame(momenta.float(), mask)
    assert single.dtype == torch.float32 and torch.isfinite(single[mask]).all()
    # computed in float64 from the float32 inputs, then rounded (in float32 it cancels ~ cosh(6)^2)
    exact = boost_events(total_rest_boost(momenta.float(), mask), momenta.float().double())
    torch.testing.assert_close(single[mask], exact[mask].float(), rtol=0, atol=0)


def test_empty_and_lightlike_totals_give_finite_lorentz_boosts():
    momenta = torch.zeros(3, 2, 4, dtype=torch.float64)
    momenta[1, 0] = torch.tensor([5.0, 3.0, 0.0, 4.0], dtype=torch.float64)  # one massless particle
    momenta[2] = torch.tensor([[5.0, 3.0, 0.0, 4.0], [0.5, 1.0, 0.0, 0.0]], dtype=torch.float64)  # spacelike sum
    mask = torch.tensor([[False, False], [True, False], [True, True]])
    to_rest = total_rest_boost(momenta, mask)
    assert torch.isfinite(to_rest).all()
    torch.testing.assert_close(to_rest[0], torch.eye(4, dtype=torch.float64))
    gamma = to_rest[1:, 0, 0]
    assert (gamma > 1e5).all() and (gamma < 2e6).all()  # the mass floor, 1e-6 of the energy
    assert (_lorentz_violation(to_rest[1:]) / gamma.square()).max() < 1e-15  # rounding of entries ~ gamma
