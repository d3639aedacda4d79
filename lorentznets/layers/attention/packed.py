"""Block-diagonal attention on packed batches (all particles concatenated, per-event offsets).

Backends, all on PyTorch alone:

- ``"pad"``: scatter into a (B, max_length) padded batch, masked ``scaled_dot_product_attention``,
  gather back. Cost O(B max_length^2); the default.
- ``"block_mask"``: one ``scaled_dot_product_attention`` over all T particles with a dense
  (T, T) block-diagonal mask. Cost O(T^2); simple, for small batches.
- ``"flex"``: ``torch.nn.attention.flex_attention`` with a block-sparse mask built from event ids;
  only where the installed torch has it (compiled kernels need ``torch.compile``).
"""

from __future__ import annotations

import torch
from torch.nn.functional import scaled_dot_product_attention

from .padded import padded_attention
from .segments import PackedSegments

BACKENDS = ("auto", "pad", "block_mask", "flex")


def _flex_available() -> bool:
    try:
        from torch.nn.attention import flex_attention  # noqa: F401
    except ImportError:
        return False
    return True


def _event_ids(segments: PackedSegments) -> torch.Tensor:
    lengths = segments.offsets.diff()
    return torch.repeat_interleave(torch.arange(len(lengths), device=lengths.device), lengths)


def _flex(query, key, value, segments):
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention

    events = _event_ids(segments)

    def same_event(b, h, q_idx, kv_idx):
        return events[q_idx] == events[kv_idx]

    total = segments.num_items
    mask = create_block_mask(same_event, None, None, total, total, device=query.device.type)
    out = flex_attention(query.unsqueeze(0), key.unsqueeze(0), value.unsqueeze(0), block_mask=mask)
    return out.squeeze(0)


def packed_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    segments: PackedSegments,
    backend: str = "auto",
) -> torch.Tensor:
    """Attention of each particle over the particles of its own event, in float32 or higher.

    Parameters
    ----------
    query, key, value : torch.Tensor with shape (H, T, F)
    segments : PackedSegments
    backend : str
        One of ``BACKENDS``; "auto" is "pad".

    Returns
    -------
    torch.Tensor with shape (H, T, F)
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown attention backend {backend!r}; choose from {BACKENDS}")
    if query.shape[-2] != segments.num_items:
        raise ValueError(f"queries have {query.shape[-2]} items, segments {segments.num_items}")
    if backend in ("auto", "pad"):
        if segments.num_items == segments.num_events * segments.max_length:
            # Equal event sizes: padding is a free reshape.
            shape = (query.shape[0], segments.num_events, segments.max_length, query.shape[-1])
            dense = [t.reshape(shape).transpose(0, 1) for t in (query, key, value)]
            return padded_attention(*dense).transpose(0, 1).reshape(query.shape)
        pad = [segments.pad(t, dim=1).transpose(0, 1) for t in (query, key, value)]  # (B, H, N, F)
        out = padded_attention(*pad, key_mask=segments.key_mask())
        return segments.unpad(out.transpose(0, 1), dim=1)
    dtype = torch.promote_types(query.dtype, torch.float32)
    query, key, value = query.to(dtype), key.to(dtype), value.to(dtype)
    with torch.autocast(query.device.type, enabled=False):
        if backend == "flex":
            if not _flex_available():
                raise ValueError("backend 'flex' needs torch.nn.attention.flex_attention (torch >= 2.5)")
            return _flex(query, key, value, segments)
        events = _event_ids(segments)
        mask = events[:, None] == events[None, :]
        return scaled_dot_product_attention(query, key, value, attn_mask=mask)
