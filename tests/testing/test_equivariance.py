"""The equivariance tester itself: it must pass equivariant functions and catch the others."""

import math

import pytest
import torch

from lorentznets.algebra import geometric_product
from lorentznets.lorentz import minkowski_dot, pairwise_dots
from lorentznets.testing import assert_equivariant, assert_invariant, transform


def test_passes_invariant_function():
    p, q = torch.randn(2, 10, 4, dtype=torch.float64)
    assert assert_invariant(minkowski_dot, (p, q), ("vector", "vector"), parity=True) < 1e-9


@pytest.mark.parametrize("max_rapidity", [2.0, 6.0])
def test_the_first_trial_boosts_by_max_rapidity_itself(max_rapidity):
    """A particle at rest reveals each trial's boost: its energy becomes cosh(rapidity). The claimed
    range is tested at its end (before, rapidities uniform in [0, max] could all stay small)."""
    at_rest = torch.tensor([[1.0, 0.0, 0.0, 0.0]], dtype=torch.float64)
    energies = []

    def mass(p):
        energies.append(p[0, 0].item())
        return minkowski_dot(p, p)

    assert_invariant(mass, (at_rest,), ("vector",), max_rapidity=max_rapidity, n_trials=3)
    boosts = [e for e in energies if e != 1.0]  # the untransformed calls
    assert len(boosts) == 3 and boosts[0] == pytest.approx(math.cosh(max_rapidity), rel=1e-12)
    assert all(1.0 <= e <= math.cosh(max_rapidity) * (1 + 1e-12) for e in boosts)


def test_fails_on_energy_as_scalar():
    p = torch.randn(10, 4, dtype=torch.float64)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_invariant(lambda x: x[..., 0], (p,), ("vector",))


def test_fails_on_small_symmetry_breaking():
    p = torch.randn(10, 4, dtype=torch.float64)
    with pytest.raises(AssertionError):
        assert_invariant(lambda x: minkowski_dot(x, x) + 1e-6 * x[..., 3], (p,), ("vector",))


def test_fails_on_wrong_output_rep():
    x, y = torch.randn(2, 5, 16, dtype=torch.float64)
    with pytest.raises(AssertionError):
        assert_equivariant(geometric_product, (x, y), ("multivector", "multivector"), ("scalar",))


def test_permutation_equivariance_is_checked():
    p = torch.randn(7, 4, dtype=torch.float64)
    mask = torch.ones(7, dtype=torch.bool)
    assert_equivariant(
        pairwise_dots,
        (p, mask),
        ("vector", "none"),
        ("scalar",),
        particle_dims=(0, 0),
        out_particle_dims=((0, 1),),
    )
    # Permuting only one axis of a pairwise output must be caught.
    with pytest.raises(AssertionError):
        assert_equivariant(
            pairwise_dots,
            (p, mask),
            ("vector", "none"),
            ("scalar",),
            particle_dims=(0, 0),
            out_particle_dims=(0,),
            max_rapidity=0.1,
        )
    # Cumulative sums depend on the order of the particles: not permutation equivariant.
    with pytest.raises(AssertionError):
        assert_equivariant(
            lambda x: torch.cumsum(x, 0),
            (p,),
            ("vector",),
            ("vector",),
            particle_dims=(0, 0),
            max_rapidity=0.1,
        )


def test_pseudoscalar_rep():
    p = torch.randn(4, 4, 4, dtype=torch.float64)
    det = lambda x: torch.linalg.det(x)  # noqa: E731
    assert_equivariant(det, (p.transpose(-1, -2),), ("vector",), ("pseudoscalar",), parity=True)
    with pytest.raises(AssertionError):
        assert_invariant(det, (p.transpose(-1, -2),), ("vector",), parity=True)


@pytest.mark.parametrize("seed", range(6))
def test_every_requested_discrete_element_is_tried_even_in_one_trial(seed):
    p = torch.randn(4, 4, 4, dtype=torch.float64)
    det = lambda x: torch.linalg.det(x.transpose(-1, -2))  # noqa: E731  # odd under P and under T
    generator = torch.Generator().manual_seed(seed)
    for flags in ({"parity": True}, {"time_reversal": True}, {"parity": True, "time_reversal": True}):
        with pytest.raises(AssertionError, match="discrete element [PT]"):
            assert_invariant(det, (p,), ("vector",), n_trials=1, generator=generator, **flags)
        square = assert_invariant(minkowski_dot, (p, p), ("vector", "vector"), n_trials=1, generator=generator, **flags)
        assert square < 1e-9
    # a function odd under T alone (the sign of the energy) passes parity-only trials, not time reversal
    sign = lambda x: torch.sign(x[..., 0]) * minkowski_dot(x, x)  # noqa: E731
    future = p.clone()
    future[..., 0] = future[..., 1:].norm(dim=-1) + 1.0  # timelike, E > 0
    assert_invariant(sign, (future,), ("vector",), parity=True, generator=generator)
    with pytest.raises(AssertionError, match="discrete element T"):
        assert_invariant(sign, (future,), ("vector",), time_reversal=True, generator=generator)


def test_transform_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown representation"):
        transform(torch.zeros(4), "spinor", torch.eye(4))
    with pytest.raises(ValueError, match="last dimension 4"):
        transform(torch.zeros(3), "vector", torch.eye(4))
