"""The equivariance tester itself: it must pass equivariant functions and catch the others."""

import pytest
import torch

from lorentznets.algebra import geometric_product
from lorentznets.lorentz import minkowski_dot, pairwise_dots
from lorentznets.testing import assert_equivariant, assert_invariant, transform


def test_passes_invariant_function():
    p, q = torch.randn(2, 10, 4, dtype=torch.float64)
    assert assert_invariant(minkowski_dot, (p, q), ("vector", "vector"), parity=True) < 1e-9


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
        assert_invariant(det, (p.transpose(-1, -2),), ("vector",), parity=True, n_trials=8)


def test_transform_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown representation"):
        transform(torch.zeros(4), "spinor", torch.eye(4))
    with pytest.raises(ValueError, match="last dimension 4"):
        transform(torch.zeros(3), "vector", torch.eye(4))
