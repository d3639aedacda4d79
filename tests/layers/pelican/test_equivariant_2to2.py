import pytest
import torch

from lorentznets.layers.pelican import Equivariant2to2, pair_basis_2to2, particle_counts

from .helpers import masked_pairs, randomize_parameters


def _reference(layer: Equivariant2to2, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Contract the explicit 15-map basis, rescaling the 10 aggregating maps by (n/N_avg)^alpha."""
    basis = pair_basis_2to2(x, mask)
    counts = particle_counts(mask, x.dtype)
    ratio = (counts / layer.average_particles)[:, None]
    exponents = torch.zeros(15, layer.in_channels, dtype=x.dtype)
    exponents[5:11] = layer.exponent_vector.detach().reshape(6, -1)
    exponents[11:15] = layer.exponent_scalar.detach().reshape(4, -1)
    scale = ratio[:, None, :] ** exponents[None]  # (B, 15, C)
    basis = basis * scale.transpose(1, 2)[:, None, None]
    out = torch.einsum("bijck,kco->bijo", basis, layer.map_weights().detach())
    eye = torch.eye(x.shape[1], dtype=x.dtype)[None, :, :, None]
    out = out + layer.bias.detach() + eye * layer.diagonal_bias.detach()
    return out * (mask[:, :, None] & mask[:, None, :])[..., None]


def test_matches_explicit_basis_with_rescaling():
    x, mask = masked_pairs(4, 6, 3, seed=0)
    layer = randomize_parameters(Equivariant2to2(3, 5, average_particles=4.0))
    torch.testing.assert_close(layer(x, mask), _reference(layer, x, mask), rtol=1e-12, atol=1e-12)


def test_every_map_reaches_the_output():
    x, mask = masked_pairs(2, 5, 2, seed=1)
    layer = randomize_parameters(Equivariant2to2(2, 2))
    out = layer(x, mask)
    out.square().sum().backward()
    grads = (layer.weight_pair.grad, layer.weight_vector.grad, layer.weight_scalar.grad)
    for grad in grads:
        assert (grad.abs().flatten(0, -3).amax(dim=(-1, -2)) > 0).all()


def test_permutation_equivariant_and_padding_independent():
    x, mask = masked_pairs(3, 6, 3, seed=2)
    layer = randomize_parameters(Equivariant2to2(3, 4))
    perm = torch.randperm(6, generator=torch.Generator().manual_seed(5))
    out = layer(x, mask)
    out_perm = layer(x[:, perm][:, :, perm], mask[:, perm])
    torch.testing.assert_close(out_perm, out[:, perm][:, :, perm], rtol=1e-12, atol=1e-12)

    padded_x = torch.zeros(3, 9, 9, 3, dtype=x.dtype)
    padded_x[:, :6, :6] = x
    padded_mask = torch.zeros(3, 9, dtype=torch.bool)
    padded_mask[:, :6] = mask
    out_padded = layer(padded_x, padded_mask)
    torch.testing.assert_close(out_padded[:, :6, :6], out, rtol=1e-12, atol=1e-12)
    assert out_padded[:, 6:].abs().max() == 0 and out_padded[:, :, 6:].abs().max() == 0


@pytest.mark.parametrize("n", [1, 2])
def test_tiny_sets(n):
    x, mask = masked_pairs(2, n, 2, seed=3)
    mask[:] = True
    out = randomize_parameters(Equivariant2to2(2, 3))(x, mask)
    assert torch.isfinite(out).all()
