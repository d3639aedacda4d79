"""A full Clebsch-Gordan level: equivariance, permutations, padding and the message identity."""

import pytest
import torch

from lorentznets.irreps import random_sl2c, sl2c_to_lorentz, vector_to_irrep
from lorentznets.layers.lgn import CGLevel, ChannelwiseCGProduct
from lorentznets.lorentz import squared_mass

from .lgn_helpers import act, max_relative_error, random_features

IN_IRREPS = [(0, 0), (1, 1), (2, 0), (0, 2), (2, 2)]


def _inputs(generator, batch=2, particles=5, channels=3):
    features = random_features(IN_IRREPS, batch, particles, channels, generator)
    p = torch.randn(batch, particles, 4, dtype=torch.float64, generator=generator)
    return features, p


def _run(level, features, p, mask=None):
    q = squared_mass(p[:, :, None] - p[:, None, :])
    return level(features, vector_to_irrep(p)[:, :, None], q, mask)


def test_level_is_lorentz_and_permutation_equivariant():
    generator = torch.Generator().manual_seed(0)
    level = CGLevel(IN_IRREPS, 3, 4, maxdim=2).double()
    features, p = _inputs(generator)
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
    out = _run(level, features, p, mask)
    assert sorted(out) == sorted(IN_IRREPS) and all(x.shape[2] == 4 for x in out.values())
    for spinor in random_sl2c((3,), max_rapidity=2.0, generator=generator):
        lorentz = sl2c_to_lorentz(spinor)
        moved = _run(level, act(spinor, features), p @ lorentz.mT, mask)
        assert max_relative_error(moved, act(spinor, out)) < 1e-10
    perm = torch.randperm(5, generator=generator)
    permuted = _run(level, {r: x[:, perm] for r, x in features.items()}, p[:, perm], mask[:, perm])
    assert max_relative_error(permuted, {r: x[:, perm] for r, x in out.items()}) < 1e-12


@pytest.mark.parametrize("aggregation", ["sum", "mean"])
def test_padding_does_not_leak(aggregation):
    generator = torch.Generator().manual_seed(1)
    level = CGLevel(IN_IRREPS, 3, 2, maxdim=2, aggregation=aggregation).double()
    features, p = _inputs(generator, batch=1, particles=6)
    mask = torch.tensor([[True, True, True, True, False, False]])
    out = _run(level, features, p, mask)
    garbage = {r: torch.where(mask[:, :, None, None], x, 1e3 * x) for r, x in features.items()}
    noisy_p = torch.where(mask[..., None], p, 1e3 * p)
    out_garbage = _run(level, garbage, noisy_p, mask)
    assert max_relative_error(out_garbage, out) < 1e-12
    assert all(x[~mask].abs().max() == 0 for x in out.values())
    short = _run(level, {r: x[:, :4] for r, x in features.items()}, p[:, :4])
    assert max_relative_error(short, {r: x[:, :4] for r, x in out.items()}) < 1e-12


def test_message_matches_direct_pairwise_sum():
    """CG[G_i (x) p_i] - sum_j f_ij CG[F_j (x) p_j] equals sum_j f_ij CG[F_j (x) (p_i - p_j)]."""
    generator = torch.Generator().manual_seed(2)
    level = CGLevel(IN_IRREPS, 2, 2, maxdim=2).double()
    with torch.no_grad():
        for name, weight in level.linear.weights.items():
            weight.zero_()
            m = level.linear.in_multiplicities[tuple(int(v) for v in name.split("_"))]
            # Output channel c copies input channel m - 2 + c: the last product block, which holds
            # the messages (stacked after the inputs and the squares).
            weight[0, m - 2, 0] = 1.0
            weight[1, m - 1, 0] = 1.0
        level.linear.bias.zero_()
    level.mlp = None
    features, p = _inputs(generator, batch=1, particles=4, channels=2)
    out = _run(level, features, p)
    q = squared_mass(p[:, :, None] - p[:, None, :])
    f = level.pair_weights(q)
    product = ChannelwiseCGProduct(IN_IRREPS, [(1, 1)], maxdim=2)
    direct = {}
    for i in range(4):
        total = None
        for j in range(4):
            pij = vector_to_irrep(p[:, i] - p[:, j])[:, None, None, :]
            term = product({r: x[:, j : j + 1] for r, x in features.items()}, {(1, 1): pij})
            term = {r: x * _block_weights(f[:, i, j], x.shape[2]) for r, x in term.items()}
            total = term if total is None else {r: total[r] + term[r] for r in term}
        for r, x in total.items():
            direct.setdefault(r, []).append(x[:, :, -2:])
    direct = {r: torch.cat(xs, dim=1) for r, xs in direct.items()}
    assert max_relative_error({r: out[r] for r in direct}, direct) < 1e-12


def _block_weights(f, width):
    channels = f.shape[-1]
    return f.repeat(1, width // channels)[:, None, :, None].to(torch.complex128)


def test_wrong_activations_raise():
    level = CGLevel(IN_IRREPS, 3, 2, maxdim=2).double()
    features, p = _inputs(torch.Generator().manual_seed(3), channels=2)
    with pytest.raises(ValueError, match="wrong channel counts"):
        _run(level, features, p)
    features, p = _inputs(torch.Generator().manual_seed(3))
    del features[(2, 2)]
    with pytest.raises(ValueError, match=r"missing \[\(2, 2\)\]"):
        _run(level, features, p)
    features[(2, 2)] = torch.zeros(2, 5, 3, 4, dtype=torch.complex128)
    with pytest.raises(ValueError, match=r"features\[\(2, 2\)\] must be a complex tensor of shape"):
        _run(level, features, p)
