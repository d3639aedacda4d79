"""Representation matrices of SL(2, C) on the (k, n) irreps."""

import pytest
import torch

from lorentznets.irreps import irrep_representation, random_sl2c, spin_representation

IRREPS = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 0), (0, 2), (2, 2), (3, 1), (4, 2)]


@pytest.mark.parametrize("irrep", IRREPS)
def test_representation_is_a_homomorphism(irrep):
    generator = torch.Generator().manual_seed(3)
    a = random_sl2c((8,), max_rapidity=6.0, generator=generator)
    b = random_sl2c((8,), max_rapidity=6.0, generator=generator)
    rho_ab = irrep_representation(a @ b, irrep)
    product = irrep_representation(a, irrep) @ irrep_representation(b, irrep)
    scale = irrep_representation(a, irrep).abs().amax() * irrep_representation(b, irrep).abs().amax()
    assert (rho_ab - product).abs().max() <= 1e-14 * scale
    eye = torch.eye(2, dtype=torch.complex128)
    assert torch.equal(irrep_representation(eye, irrep), torch.eye(rho_ab.shape[-1], dtype=torch.complex128))


@pytest.mark.parametrize("irrep", IRREPS)
def test_inverse_maps_to_inverse(irrep):
    a = random_sl2c((4,), max_rapidity=3.0, generator=torch.Generator().manual_seed(5))
    rho = irrep_representation(a, irrep)
    rho_inv = irrep_representation(torch.linalg.inv(a), irrep)
    eye = torch.eye(rho.shape[-1], dtype=torch.complex128).expand_as(rho)
    assert torch.allclose(rho @ rho_inv, eye, atol=1e-9, rtol=0)


@pytest.mark.parametrize("k", range(6))
def test_spin_representation_is_unitary_on_su2_and_has_unit_determinant(k):
    u = random_sl2c((6,), max_rapidity=0.0, generator=torch.Generator().manual_seed(k))
    d = spin_representation(u, k)
    eye = torch.eye(k + 1, dtype=torch.complex128).expand_as(d)
    assert torch.allclose(d @ d.mH, eye, atol=1e-14, rtol=0)
    a = random_sl2c((6,), max_rapidity=2.0, generator=torch.Generator().manual_seed(k))
    det = torch.linalg.det(spin_representation(a, k))
    assert torch.allclose(det, torch.ones_like(det), atol=1e-10, rtol=0)


def test_spin_half_is_the_defining_representation():
    a = random_sl2c((3,), generator=torch.Generator().manual_seed(0))
    assert torch.equal(spin_representation(a, 1), a)
    assert torch.equal(irrep_representation(a, (0, 1)), a.conj())


def test_generators_are_condon_shortley_spin_matrices():
    # d/dt rho(exp(t X)) at t = 0 for X = sigma_+ gives J_+ with entries sqrt((j - m)(j + m + 1)).
    k, t = 3, 1e-7
    x = torch.tensor([[0, 1], [0, 0]], dtype=torch.complex128)
    eye = torch.eye(2, dtype=torch.complex128)
    derivative = (spin_representation(eye + t * x, k) - spin_representation(eye - t * x, k)) / (2 * t)
    expected = torch.zeros(k + 1, k + 1, dtype=torch.complex128)
    for i in range(1, k + 1):  # J_+ f_i = sqrt(i (k - i + 1)) f_(i-1)
        expected[i - 1, i] = (i * (k - i + 1)) ** 0.5
    assert torch.allclose(derivative, expected, atol=1e-8, rtol=0)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="complex"):
        spin_representation(torch.eye(2), 1)
    with pytest.raises(ValueError, match=r"\(\.\.\., 2, 2\)"):
        spin_representation(torch.eye(3, dtype=torch.complex128), 1)
    with pytest.raises(ValueError, match=">= 0"):
        irrep_representation(torch.eye(2, dtype=torch.complex128), (-1, 0))
