"""ParT attention: the explicit CPU dropout path is softmax(q k^T / sqrt(D) + bias), dropped, times v."""

import torch
from torch.nn import functional as F

from lorentznets.layers.part import random_bit_dropout, standard_attention


def _inputs(seed=0):
    generator = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(2, 3, 5, 4, generator=generator, dtype=torch.float64) for _ in range(3))
    bias = torch.randn(2, 3, 5, 5, generator=generator, dtype=torch.float64)
    bias[0, :, :, 3:] = float("-inf")  # padded keys
    return q, k, v, bias


def test_without_dropout_it_is_sdpa():
    q, k, v, bias = _inputs()
    torch.testing.assert_close(
        standard_attention(q, k, v, attn_mask=bias), F.scaled_dot_product_attention(q, k, v, bias)
    )


def test_dropout_path_by_hand():
    q, k, v, bias = _inputs(1)
    torch.manual_seed(3)
    out = standard_attention(q, k, v, attn_mask=bias, dropout_p=0.4)
    torch.manual_seed(3)
    keep = random_bit_dropout(torch.ones(2, 3, 5, 5, dtype=torch.float64), 0.4)
    weights = torch.softmax(q @ k.mT / 2 + bias, dim=-1)
    assert (keep == 0).any()
    torch.testing.assert_close(out, (weights * keep) @ v)
    assert (out[0] == out[0]).all()  # no NaN from the masked keys
