"""Padded and packed attention backends agree with per-event attention."""

import pytest
import torch
from torch.nn.functional import scaled_dot_product_attention

from lorentznets.layers.attention import BACKENDS, PackedSegments, packed_attention, padded_attention


def _packed(lengths, heads=2, features=5, seed=0):
    g = torch.Generator().manual_seed(seed)
    total = sum(lengths)
    return tuple(torch.randn(heads, total, features, dtype=torch.float64, generator=g) for _ in range(3))


def _reference(q, k, v, lengths):
    out, start = [], 0
    for n in lengths:
        sl = slice(start, start + n)
        out.append(scaled_dot_product_attention(q[:, sl], k[:, sl], v[:, sl]))
        start += n
    return torch.cat(out, 1)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("lengths", [[3, 10, 1, 6], [4, 4, 4]])
def test_packed_backends_match_per_event_attention(backend, lengths):
    q, k, v = _packed(lengths)
    segments = PackedSegments.from_offsets(torch.cumsum(torch.tensor([0, *lengths]), 0))
    out = packed_attention(q, k, v, segments, backend=backend)
    torch.testing.assert_close(out, _reference(q, k, v, lengths), rtol=1e-12, atol=1e-12)


def test_padding_does_not_change_real_items():
    lengths = [4, 9]
    q, k, v = _packed(lengths)
    segments = PackedSegments.from_offsets(torch.tensor([0, 4, 13]))
    padded = [segments.pad(t, dim=1).transpose(0, 1) for t in (q, k, v)]
    # Garbage at padding must not leak into real items.
    padded = [t.masked_fill(~segments.key_mask()[:, None, :, None], 1e3) for t in padded]
    out = padded_attention(*padded, key_mask=segments.key_mask())
    real = segments.unpad(out.transpose(0, 1), dim=1)
    torch.testing.assert_close(real, _reference(q, k, v, lengths), rtol=1e-12, atol=1e-12)


def test_segments_from_mask_and_errors():
    mask = torch.tensor([[True, True, False], [True, True, True]])
    segments = PackedSegments.from_mask(mask)
    assert segments.offsets.tolist() == [0, 2, 5]
    assert torch.equal(segments.key_mask(), mask)
    with pytest.raises(ValueError, match="empty events at \\[1\\]"):
        PackedSegments.from_offsets(torch.tensor([0, 2, 2, 4]))
    with pytest.raises(ValueError, match="empty events"):
        PackedSegments.from_mask(torch.tensor([[True, False], [False, False]]))
    q, k, v = _packed([2, 3])
    with pytest.raises(ValueError, match="unknown attention backend"):
        packed_attention(q, k, v, segments, backend="xformers")
