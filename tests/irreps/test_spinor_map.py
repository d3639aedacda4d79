"""Four-vectors <-> (1, 1) irrep and SL(2, C) <-> SO+(1, 3)."""

import pytest
import torch

from lorentznets.irreps import (
    clebsch_gordan,
    irrep_representation,
    irrep_to_vector,
    lorentz_to_sl2c,
    random_sl2c,
    sl2c_to_lorentz,
    vector_to_irrep,
)
from lorentznets.lorentz import minkowski_dot, minkowski_metric, random_lorentz_transform


def test_embedding_round_trip_is_exact_up_to_one_rounding():
    p = torch.randn(100, 4, dtype=torch.float64) * 100
    back = irrep_to_vector(vector_to_irrep(p))
    # One addition and one subtraction per component: at most one ulp of the largest input.
    assert ((back - p).abs() <= 2**-52 * p.abs().amax(dim=-1, keepdim=True)).all()
    # Integer-valued momenta go through without any rounding.
    q = torch.randint(-1000, 1000, (100, 4)).to(torch.float64)
    assert torch.equal(irrep_to_vector(vector_to_irrep(q)), q)


def test_embedding_maps_lorentz_matrices_to_the_11_representation():
    generator = torch.Generator().manual_seed(11)
    lorentz = random_lorentz_transform((16,), max_rapidity=6.0, generator=generator)
    spinor = lorentz_to_sl2c(lorentz)
    p = torch.randn(16, 4, dtype=torch.float64, generator=generator)
    lhs = vector_to_irrep(torch.einsum("bij,bj->bi", lorentz, p))
    rhs = torch.einsum("bij,bj->bi", irrep_representation(spinor, (1, 1)), vector_to_irrep(p))
    scale = lorentz.abs().amax() * p.abs().amax()
    assert (lhs - rhs).abs().max() <= 1e-13 * scale
    assert torch.allclose(torch.linalg.det(spinor), torch.ones(16, dtype=torch.complex128), atol=1e-12)


def test_covering_map_gives_proper_orthochronous_lorentz_matrices():
    spinor = random_sl2c((32,), max_rapidity=6.0, generator=torch.Generator().manual_seed(2))
    lorentz = sl2c_to_lorentz(spinor)
    g = minkowski_metric(dtype=torch.float64)
    scale = lorentz.abs().amax(dim=(-2, -1), keepdim=True) ** 2
    assert ((lorentz.mT @ g @ lorentz - g).abs() <= 1e-14 * scale).all()
    assert (lorentz[:, 0, 0] >= 1).all()
    assert torch.allclose(torch.linalg.det(lorentz), torch.ones(32, dtype=torch.float64), atol=1e-6)
    # Homomorphism and the two-to-one kernel {+1, -1}.
    other = random_sl2c((32,), max_rapidity=2.0, generator=torch.Generator().manual_seed(3))
    product = sl2c_to_lorentz(spinor @ other)
    assert torch.allclose(product, lorentz @ sl2c_to_lorentz(other), atol=1e-12 * float(product.abs().max()))
    assert torch.allclose(sl2c_to_lorentz(-spinor), lorentz, atol=0, rtol=0)


def test_lorentz_to_sl2c_inverts_the_covering_map_up_to_sign():
    spinor = random_sl2c((32,), max_rapidity=6.0, generator=torch.Generator().manual_seed(4))
    recovered = lorentz_to_sl2c(sl2c_to_lorentz(spinor))
    error = torch.minimum((recovered - spinor).abs().amax((-2, -1)), (recovered + spinor).abs().amax((-2, -1)))
    assert (error <= 1e-10 * spinor.abs().amax((-2, -1))).all()
    # Rotations by pi have tr A = 0, where the naive formula divides by zero.
    half_turn = torch.diag(torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=torch.float64))
    a = lorentz_to_sl2c(half_turn)
    assert torch.allclose(sl2c_to_lorentz(a), half_turn, atol=1e-15)


def test_scalar_product_is_the_00_clebsch_gordan_component():
    p, q = torch.randn(2, 50, 4, dtype=torch.float64)
    cg = clebsch_gordan((1, 1), (1, 1), (0, 0), dtype=torch.complex128)
    invariant = torch.einsum("cab,na,nb->nc", cg, vector_to_irrep(p), vector_to_irrep(q))[:, 0]
    assert torch.allclose(invariant.real, minkowski_dot(p, q), atol=1e-14, rtol=0)
    assert invariant.imag.abs().max() <= 1e-15


def test_parity_and_non_lorentz_matrices_are_rejected():
    with pytest.raises(ValueError, match="proper orthochronous"):
        lorentz_to_sl2c(torch.diag(torch.tensor([1.0, -1.0, -1.0, -1.0], dtype=torch.float64)))
    with pytest.raises(ValueError, match="not a Lorentz matrix"):
        lorentz_to_sl2c(2 * torch.eye(4, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 4\)"):
        vector_to_irrep(torch.zeros(3, 3))
