"""Channel-wise Clebsch-Gordan products."""

import pytest
import torch

from lorentznets.irreps import clebsch_gordan, random_sl2c
from lorentznets.layers.lgn import ChannelwiseCGProduct

from .lgn_helpers import act, max_relative_error, random_features

IRREPS = [(0, 0), (1, 1), (2, 0), (0, 2), (2, 2)]


@pytest.mark.parametrize("symmetric", [False, True])
def test_product_is_equivariant(symmetric):
    generator = torch.Generator().manual_seed(0)
    product = ChannelwiseCGProduct(IRREPS, IRREPS, maxdim=2, symmetric=symmetric)
    x = random_features(IRREPS, 2, 3, 4, generator)
    y = x if symmetric else random_features(IRREPS, 2, 3, 4, generator)
    for spinor in random_sl2c((3,), max_rapidity=2.0, generator=generator):
        got = product(act(spinor, x), act(spinor, y))
        expected = act(spinor, product(x, y))
        assert max_relative_error(got, expected) < 1e-12
    out = product(x, y)
    assert sorted(out) == sorted(IRREPS)
    assert all(out[r].shape[2] == 4 * m for r, m in product.out_multiplicities.items())


def test_channels_are_multiplied_pairwise_and_vectors_broadcast():
    generator = torch.Generator().manual_seed(1)
    x = random_features([(1, 1)], 2, 5, 3, generator)
    p = random_features([(1, 1)], 2, 5, 1, generator)
    out = ChannelwiseCGProduct([(1, 1)], [(1, 1)], maxdim=2)(x, p)
    cg = clebsch_gordan((1, 1), (1, 1), (2, 2), dtype=torch.complex128)
    vectors = p[(1, 1)].expand_as(x[(1, 1)])
    expected = torch.einsum("kab,znca,zncb->znck", cg, x[(1, 1)], vectors)
    assert torch.allclose(out[(2, 2)], expected, atol=1e-14)


def test_symmetric_product_drops_only_vanishing_components():
    generator = torch.Generator().manual_seed(2)
    x = random_features([(0, 0), (1, 1)], 1, 4, 2, generator)
    full = ChannelwiseCGProduct([(1, 1)], [(1, 1)], maxdim=2)
    sym = ChannelwiseCGProduct([(0, 0), (1, 1)], [(0, 0), (1, 1)], maxdim=2, symmetric=True)
    # (1,1) x (1,1) contains (2,0) and (0,2) antisymmetrically: zero for x_c (x) x_c.
    assert full({(1, 1): x[(1, 1)]}, {(1, 1): x[(1, 1)]})[(2, 0)].abs().max() < 1e-14
    assert sym.out_multiplicities == {(0, 0): 2, (1, 1): 1, (2, 2): 1}
    out = sym(x, x)
    assert torch.allclose(out[(2, 2)], full({(1, 1): x[(1, 1)]}, {(1, 1): x[(1, 1)]})[(2, 2)], atol=1e-14)


def test_missing_irreps_and_wrong_inputs_raise():
    product = ChannelwiseCGProduct([(1, 1)], [(1, 1)], maxdim=2)
    x = random_features([(0, 0)], 1, 2, 1, torch.Generator().manual_seed(0))
    with pytest.raises(KeyError, match=r"lacks irrep \(1, 1\)"):
        product(x, x)
    vectors = random_features([(1, 1)], 1, 2, 1, torch.Generator().manual_seed(0))
    with pytest.raises(TypeError, match="must be a dict"):
        product(vectors, torch.zeros(1, 2, 1, 4, dtype=torch.complex128))
    with pytest.raises(ValueError, match="symmetric product needs equal irreps"):
        ChannelwiseCGProduct([(1, 1)], [(0, 0)], maxdim=2, symmetric=True)
