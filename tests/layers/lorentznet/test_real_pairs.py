import pytest
import torch

from lorentznets.layers.lorentznet import real_pairs


def test_every_ordered_pair_of_distinct_real_particles_once():
    g = torch.Generator().manual_seed(0)
    mask = torch.rand(5, 7, generator=g) > 0.4
    mask[3] = False  # a set without particles contributes no pair
    edges = real_pairs(mask)
    expected = {
        (b * 7 + i, b * 7 + j)
        for b in range(5)
        for i in range(7)
        for j in range(7)
        if i != j and mask[b, i] and mask[b, j]
    }
    found = list(zip(edges[0].tolist(), edges[1].tolist()))
    assert edges.dtype == torch.int64 and len(found) == len(expected) and set(found) == expected
    counts = mask.sum(1)
    assert edges.shape[1] == int((counts * (counts - 1)).sum())
    assert torch.equal(edges[0], edges[0].sort().values)


def test_rejects_a_non_boolean_mask():
    with pytest.raises(ValueError, match="mask must be bool with shape"):
        real_pairs(torch.ones(2, 3))
