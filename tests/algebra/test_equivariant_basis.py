import pytest
import torch

from lorentznets.algebra import equivariant_linear_basis, multivector_representation
from lorentznets.lorentz import random_lorentz_transform
from lorentznets.testing import assert_equivariant


@pytest.mark.parametrize("index", range(10))
def test_each_map_commutes_with_proper_transformations(index):
    gen = torch.Generator().manual_seed(index)
    basis = equivariant_linear_basis(True, torch.float64)[index]
    x = torch.randn(16, 16, dtype=torch.float64, generator=gen)
    error = assert_equivariant(
        lambda v: v @ basis.T,
        (x,),
        ("multivector",),
        ("multivector",),
        max_rapidity=6.0,
        n_trials=5,
        generator=gen,
        rtol=1e-10,
    )
    assert error < 1e-10


@pytest.mark.parametrize("index", range(5))
def test_grade_projections_commute_with_parity_and_time_reversal(index):
    basis = equivariant_linear_basis(False, torch.float64)[index]
    x = torch.randn(16, 16, dtype=torch.float64)
    assert_equivariant(
        lambda v: v @ basis.T,
        (x,),
        ("multivector",),
        ("multivector",),
        parity=True,
        time_reversal=True,
        n_trials=6,
        rtol=1e-10,
    )


def test_pseudoscalar_maps_break_under_parity():
    basis = equivariant_linear_basis(True, torch.float64)[5]
    x = torch.randn(4, 16, dtype=torch.float64)
    with pytest.raises(AssertionError):
        assert_equivariant(
            lambda v: v @ basis.T,
            (x,),
            ("multivector",),
            ("multivector",),
            parity=True,
            n_trials=8,
        )


@pytest.mark.parametrize("full_group,dimension", [(False, 10), (True, 5)])
def test_basis_spans_all_equivariant_maps(full_group, dimension):
    """The commutant of the representation has exactly the claimed dimension and our span."""
    gen = torch.Generator().manual_seed(0)
    matrices = random_lorentz_transform(
        (6,), max_rapidity=1.0, generator=gen, parity=full_group, time_reversal=full_group
    )
    if full_group:
        matrices = torch.cat([matrices, torch.diag(torch.tensor([1.0, -1, -1, -1])).double()[None]])
        matrices = torch.cat([matrices, torch.diag(torch.tensor([-1.0, 1, 1, 1])).double()[None]])
    rho = multivector_representation(matrices)
    eye = torch.eye(16, dtype=torch.float64)
    # vec(rho M - M rho) = (I x rho - rho^T x I) vec(M)
    constraints = torch.cat([torch.kron(eye, r) - torch.kron(r.T.contiguous(), eye) for r in rho])
    singular = torch.linalg.svdvals(constraints)
    null_dimension = int((singular < 1e-9 * singular.max()).sum())
    assert null_dimension == dimension
    basis = equivariant_linear_basis(not full_group, torch.float64)
    assert basis.shape[0] == dimension
    flat = basis.reshape(dimension, -1)
    assert torch.linalg.matrix_rank(flat) == dimension
    residual = constraints @ basis.transpose(-1, -2).reshape(dimension, -1).T.contiguous()
    assert residual.abs().max() < 1e-9
