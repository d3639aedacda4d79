"""Padded and packed attention backends agree with per-event attention."""

import pytest
import torch
from torch.nn.functional import scaled_dot_product_attention

from lorentznets.layers.attention import (
    BACKENDS,
    PackedSegments,
    check_offsets,
    packed_attention,
    padded_attention,
    resolve_backend,
)


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


def test_backend_resolution_and_offset_checks():
    assert resolve_backend("auto", torch.device("cpu")) == "pad"
    assert resolve_backend("auto", torch.device("cuda")) == "flex"  # resolution reads no device
    assert resolve_backend("block_mask", torch.device("cuda")) == "block_mask"
    with pytest.raises(ValueError, match="unknown attention backend"):
        resolve_backend("xformers", torch.device("cpu"))
    with pytest.raises(ValueError, match="1-d integer"):
        check_offsets(torch.tensor([0.0, 2.0]))
    with pytest.raises(ValueError, match="offsets end at 5"):
        check_offsets(torch.tensor([0, 2, 5]), num_items=6)


def test_segments_from_given_sizes_match_derived_ones():
    offsets = torch.tensor([0, 3, 4, 9])
    derived = PackedSegments.from_offsets(offsets)
    given = PackedSegments.from_offsets(offsets, num_items=9, max_length=7, validate=False)
    assert derived.max_length == 5 and given.max_length == 7
    assert derived.event_ids.tolist() == given.event_ids.tolist() == [0, 0, 0, 1, 2, 2, 2, 2, 2]
    assert given.positions.tolist() == [0, 1, 2, 0, 0, 1, 2, 3, 4]
    q, k, v = _packed([3, 1, 5])
    torch.testing.assert_close(
        packed_attention(q, k, v, given, backend="pad"), _reference(q, k, v, [3, 1, 5]), rtol=1e-12, atol=1e-12
    )
