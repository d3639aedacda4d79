"""Channel mixing within irreps, the (0, 0) MLP, pair weights and the input embedding."""

import pytest
import torch

from lorentznets.irreps import random_sl2c, vector_to_irrep
from lorentznets.layers.lgn import InputEmbedding, IrrepLinear, PairWeights, ScalarMLP

from .lgn_helpers import act, max_relative_error, random_features

IRREPS = [(0, 0), (1, 1), (2, 0), (0, 2), (2, 2)]


def test_irrep_linear_is_equivariant_with_scalar_bias():
    generator = torch.Generator().manual_seed(0)
    layer = IrrepLinear({r: 3 + i for i, r in enumerate(IRREPS)}, 2)
    with torch.no_grad():
        layer.bias.normal_()
    x = {r: random_features([r], 2, 4, 3 + i, generator)[r] for i, r in enumerate(IRREPS)}
    for spinor in random_sl2c((3,), max_rapidity=3.0, generator=generator):
        assert max_relative_error(layer(act(spinor, x)), act(spinor, layer(x))) < 1e-12
    zero = {r: torch.zeros_like(v) for r, v in x.items()}
    out = layer(zero)
    assert out[(0, 0)].abs().max() > 0
    assert all(out[r].abs().max() == 0 for r in IRREPS[1:])


def test_irrep_linear_rejects_wrong_channels():
    layer = IrrepLinear({(1, 1): 3}, 2)
    with pytest.raises(ValueError, match=r"irrep \(1, 1\): expected 3 channels, got 2"):
        layer({(1, 1): torch.zeros(1, 1, 2, 4, dtype=torch.complex64)})
    with pytest.raises(KeyError, match="expects irrep"):
        layer({(0, 0): torch.zeros(1, 1, 3, 1, dtype=torch.complex64)})


def test_scalar_mlp_runs_float32_module_in_float64():
    mlp = ScalarMLP(3, depth=2, width_factor=2)
    x = torch.randn(2, 5, 3, 1, dtype=torch.complex128)
    y = mlp(x)
    assert y.shape == x.shape and y.dtype == torch.complex128
    y.abs().sum().backward()
    assert mlp.net[0].weight.grad is not None and mlp.net[0].weight.grad.dtype == torch.float32


def test_pair_weights_are_bounded_and_differentiable():
    weights = PairWeights(4, num_basis=5)
    q = torch.tensor([-1e6, -1.0, 0.0, 0.3, 1e6], dtype=torch.float64)
    f = weights(q)
    assert f.shape == (5, 4) and torch.isfinite(f).all()
    bound = weights.amplitudes.abs().sum(dim=0).to(torch.float64)
    assert (f.abs() <= bound + 1e-12).all()


def test_input_embedding_is_equivariant_and_masks_padding():
    generator = torch.Generator().manual_seed(3)
    embedding = InputEmbedding(in_scalars=2, channels=3).double()
    p = torch.randn(2, 4, 4, dtype=torch.float64, generator=generator)
    s = torch.randn(2, 4, 2, dtype=torch.float64, generator=generator)
    mask = torch.tensor([[True, True, True, False], [True, False, False, False]])
    out = embedding(vector_to_irrep(p)[:, :, None], s, mask)
    assert out[(0, 0)].shape == (2, 4, 3, 1) and out[(1, 1)].shape == (2, 4, 3, 4)
    assert out[(1, 1)][~mask].abs().max() == 0 and out[(0, 0)][~mask].abs().max() == 0
    spinor = random_sl2c((), max_rapidity=4.0, generator=generator)
    moved = embedding(act(spinor, {(1, 1): vector_to_irrep(p)[:, :, None]})[(1, 1)], s, mask)
    assert max_relative_error(moved, act(spinor, out)) < 1e-12
    with pytest.raises(ValueError, match="expected scalars of shape"):
        embedding(vector_to_irrep(p)[:, :, None], None, mask)
