import pytest
import torch

from lorentznets.lorentz import (
    minkowski_dot,
    minkowski_metric,
    pairwise_dots,
    random_lorentz_transform,
    squared_mass,
)


def test_metric_signature():
    assert torch.equal(minkowski_metric(torch.float64).diagonal(), torch.tensor([1.0, -1, -1, -1]).double())


def test_dot_matches_metric_contraction():
    a, b = torch.randn(2, 10, 4, dtype=torch.float64)
    expected = torch.einsum("ni,ij,nj->n", a, minkowski_metric(torch.float64), b)
    assert torch.allclose(minkowski_dot(a, b), expected)


def test_squared_mass_of_massive_particle():
    p = torch.tensor([5.0, 0.0, 3.0, 0.0])
    assert squared_mass(p).item() == pytest.approx(16.0)


def test_pairwise_dots_masked_and_invariant():
    gen = torch.Generator().manual_seed(0)
    p = torch.randn(3, 6, 4, dtype=torch.float64, generator=gen)
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]], dtype=torch.bool)
    dots = pairwise_dots(p, mask)
    assert dots.shape == (3, 6, 6)
    assert torch.allclose(dots[1, 2, 4], minkowski_dot(p[1, 2], p[1, 4]))
    assert (dots[0, 4:] == 0).all() and (dots[0, :, 4:] == 0).all()
    matrix = random_lorentz_transform((), max_rapidity=6.0, generator=gen)
    moved = pairwise_dots(p @ matrix.mT, mask)
    assert torch.allclose(moved, dots, rtol=1e-9, atol=1e-9 * dots.abs().max().item())


def test_bad_shapes_are_reported():
    with pytest.raises(ValueError, match="last dimension of 4"):
        minkowski_dot(torch.zeros(3, 3), torch.zeros(3, 3))
    with pytest.raises(ValueError, match="mask has shape"):
        pairwise_dots(torch.zeros(2, 5, 4), torch.ones(2, 4, dtype=torch.bool))
