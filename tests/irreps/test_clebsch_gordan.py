"""Clebsch-Gordan coefficients: exact values, intertwining, orthogonality and completeness."""

import itertools
import math

import pytest
import torch

from lorentznets.irreps import (
    clebsch_gordan,
    clebsch_gordan_decomposition,
    irrep_dim,
    irrep_representation,
    product_irreps,
    random_sl2c,
    su2_clebsch_gordan,
    su2_clebsch_gordan_coefficient,
)

IRREPS = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 2), (2, 1), (2, 2), (3, 1)]


def test_su2_coefficients_match_textbook_values():
    # <1/2 1/2; 1/2 -1/2 | 0 0> = 1/sqrt2, <1/2 -1/2; 1/2 1/2 | 0 0> = -1/sqrt2
    assert su2_clebsch_gordan_coefficient(1, 1, 1, -1, 0, 0) == math.sqrt(0.5)
    assert su2_clebsch_gordan_coefficient(1, -1, 1, 1, 0, 0) == -math.sqrt(0.5)
    # <1 0; 1 0 | 2 0> = sqrt(2/3), <1 1; 1 -1 | 1 0> = 1/sqrt2, <1 0; 1 0 | 1 0> = 0
    assert su2_clebsch_gordan_coefficient(2, 0, 2, 0, 4, 0) == math.sqrt(2 / 3)
    assert su2_clebsch_gordan_coefficient(2, 2, 2, -2, 2, 0) == math.sqrt(0.5)
    assert su2_clebsch_gordan_coefficient(2, 0, 2, 0, 2, 0) == 0.0
    # <1 1; 1/2 -1/2 | 1/2 1/2> = sqrt(2/3), <1 0; 1/2 1/2 | 1/2 1/2> = -sqrt(1/3); m mismatch gives 0
    assert su2_clebsch_gordan_coefficient(2, 2, 1, -1, 1, 1) == math.sqrt(2 / 3)
    assert su2_clebsch_gordan_coefficient(2, 0, 1, 1, 1, 1) == -math.sqrt(1 / 3)
    assert su2_clebsch_gordan_coefficient(3, 1, 2, -2, 1, 1) == 0.0


@pytest.mark.parametrize("two_j1,two_j2", [(1, 1), (2, 1), (2, 2), (3, 2), (4, 4)])
def test_su2_coupling_is_orthogonal(two_j1, two_j2):
    stacked = torch.cat(
        [
            torch.tensor(su2_clebsch_gordan(two_j1, two_j2, two_j)).reshape(two_j + 1, -1)
            for two_j in range(abs(two_j1 - two_j2), two_j1 + two_j2 + 1, 2)
        ]
    )
    eye = torch.eye(stacked.shape[0], dtype=torch.float64)
    assert torch.allclose(stacked @ stacked.T, eye, atol=1e-15, rtol=0)
    assert torch.allclose(stacked.T @ stacked, eye, atol=1e-15, rtol=0)


def test_invalid_couplings_raise():
    with pytest.raises(ValueError, match="does not occur"):
        su2_clebsch_gordan(1, 1, 4)
    with pytest.raises(ValueError, match="does not occur"):
        clebsch_gordan((1, 1), (1, 1), (1, 1))
    with pytest.raises(ValueError, match="pair"):
        clebsch_gordan((1, 1, 1), (1, 1), (0, 0))


@pytest.mark.parametrize("irrep1,irrep2", list(itertools.combinations_with_replacement(IRREPS, 2)))
def test_lorentz_decomposition_is_orthogonal_and_complete(irrep1, irrep2):
    tables = clebsch_gordan_decomposition(irrep1, irrep2)
    assert sum(irrep_dim(r) for r in tables) == irrep_dim(irrep1) * irrep_dim(irrep2)
    stacked = torch.cat([c.reshape(c.shape[0], -1) for c in tables.values()])
    eye = torch.eye(stacked.shape[0], dtype=torch.float64)
    assert torch.allclose(stacked @ stacked.T, eye, atol=1e-15, rtol=0)
    assert torch.allclose(stacked.T @ stacked, eye, atol=1e-15, rtol=0)


@pytest.mark.parametrize("max_rapidity", [1.0, 6.0])
@pytest.mark.parametrize("irrep1,irrep2", list(itertools.product(IRREPS[:8], repeat=2)))
def test_clebsch_gordan_intertwines_group_action(irrep1, irrep2, max_rapidity):
    generator = torch.Generator().manual_seed(7)
    group = random_sl2c((3,), max_rapidity=max_rapidity, generator=generator)
    rho1 = irrep_representation(group, irrep1)
    rho2 = irrep_representation(group, irrep2)
    d1, d2 = rho1.shape[-1], rho2.shape[-1]
    kron = (rho1[..., :, None, :, None] * rho2[..., None, :, None, :]).reshape(3, d1 * d2, d1 * d2)
    for irrep in product_irreps(irrep1, irrep2):
        cg = clebsch_gordan(irrep1, irrep2, irrep, dtype=torch.complex128).reshape(irrep_dim(irrep), -1)
        lhs = cg @ kron
        rhs = irrep_representation(group, irrep) @ cg
        # Entries of kron reach e^(rapidity * (k+n)); the identity holds to rounding on that scale.
        scale = kron.abs().amax()
        assert (lhs - rhs).abs().max() <= 64 * 2.2e-16 * scale


def test_truncation_keeps_only_small_irreps():
    tables = clebsch_gordan_decomposition((2, 2), (1, 1), maxdim=2)
    assert sorted(tables) == [(1, 1), (1, 3), (3, 1), (3, 3)][:1]
    assert product_irreps((2, 0), (0, 2), maxdim=2) == [(2, 2)]
    assert product_irreps((1, 1), (1, 1)) == [(0, 0), (0, 2), (2, 0), (2, 2)]


def test_coefficients_are_correctly_rounded():
    # (1,1) x (1,1) -> (0,0) is eps (x) eps / 2: entries +-1/2 from two rounded factors sqrt(1/2).
    cg = clebsch_gordan((1, 1), (1, 1), (0, 0))
    values = cg[cg != 0].abs()
    assert (values - 0.5).abs().max() <= 2**-53
