import torch

from lorentznets.layers.pelican import Equivariant1to2, Equivariant2to0, Equivariant2to1
from lorentznets.testing import assert_equivariant

from .helpers import masked_pairs, randomize_parameters


def _means(x, mask):
    n = mask.sum(1).to(x.dtype)
    diagonal = torch.diagonal(x, dim1=1, dim2=2).transpose(1, 2)
    return (
        diagonal,
        x.sum(2) / n[:, None, None],
        x.sum(1) / n[:, None, None],
        diagonal.sum(1) / n[:, None],
        x.sum((1, 2)) / n[:, None] ** 2,
        n,
    )


def test_2to1_matches_formula_and_is_equivariant():
    x, mask = masked_pairs(3, 6, 2, seed=0)
    layer = randomize_parameters(Equivariant2to1(2, 3, average_particles=5.0))
    d, r, c, t, s, n = _means(x, mask)
    scale = (n[:, None, None] / 5.0) ** layer.exponent.detach()[None]
    w = layer.weight.detach().reshape(5, 2, 3)
    expected = (
        d @ w[0]
        + (r * scale[:, None, 0]) @ w[1]
        + (c * scale[:, None, 1]) @ w[2]
        + ((t * scale[:, 2]) @ w[3])[:, None]
        + ((s * scale[:, 3]) @ w[4])[:, None]
        + layer.bias.detach()
    ) * mask[..., None]
    torch.testing.assert_close(layer(x, mask), expected, rtol=1e-12, atol=1e-12)

    perm = torch.randperm(6, generator=torch.Generator().manual_seed(1))
    out_perm = layer(x[:, perm][:, :, perm], mask[:, perm])
    torch.testing.assert_close(out_perm, layer(x, mask)[:, perm], rtol=1e-12, atol=1e-12)


def test_2to0_matches_formula_and_is_invariant():
    x, mask = masked_pairs(3, 6, 2, seed=2)
    layer = randomize_parameters(Equivariant2to0(2, 3, average_particles=5.0))
    _, _, _, t, s, n = _means(x, mask)
    scale = (n[:, None, None] / 5.0) ** layer.exponent.detach()[None]
    w = layer.weight.detach().reshape(2, 2, 3)
    expected = (t * scale[:, 0]) @ w[0] + (s * scale[:, 1]) @ w[1] + layer.bias.detach()
    torch.testing.assert_close(layer(x, mask), expected, rtol=1e-12, atol=1e-12)

    perm = torch.randperm(6, generator=torch.Generator().manual_seed(3))
    out_perm = layer(x[:, perm][:, :, perm], mask[:, perm])
    torch.testing.assert_close(out_perm, layer(x, mask), rtol=1e-12, atol=1e-12)


def test_1to2_is_equivariant_padding_independent_and_full_rank():
    generator = torch.Generator().manual_seed(4)
    features = torch.randn(2, 5, 1, generator=generator, dtype=torch.float64)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
    layer = randomize_parameters(Equivariant1to2(1, 1))

    perm = torch.randperm(5, generator=generator)
    out = layer(features, mask)
    out_perm = layer(features[:, perm], mask[:, perm])
    torch.testing.assert_close(out_perm, out[:, perm][:, :, perm], rtol=1e-12, atol=1e-12)

    junk = features.clone()
    junk[1, 3:] = 1e3  # padded entries must not leak into real ones
    torch.testing.assert_close(layer(junk, mask), out, rtol=1e-12, atol=1e-12)
    assert out[1, 3:].abs().max() == 0 and out[1, :, 3:].abs().max() == 0

    # each of the 5 maps contributes: switching one weight on at a time gives independent outputs
    columns = []
    with torch.no_grad():
        for k in range(5):
            for p in layer.parameters():
                p.zero_()
            (layer.weight_particle.view(-1) if k < 3 else layer.weight_mean.view(-1))[k % 3].fill_(1)
            columns.append(layer(features, mask).flatten())
    assert torch.linalg.matrix_rank(torch.stack(columns, dim=1)).item() == 5


def test_readouts_with_lorentz_testing_utility():
    x, mask = masked_pairs(2, 5, 2, seed=5)
    layer = randomize_parameters(Equivariant2to0(2, 3))
    assert_equivariant(layer, (x, mask), ("scalar", "none"), n_trials=1)
