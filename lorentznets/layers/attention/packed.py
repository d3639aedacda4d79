"""Block-diagonal attention on packed batches (all particles concatenated, per-event offsets).

Backends, all on PyTorch alone:

- ``"pad"``: scatter into a (B, max_length) padded batch, masked ``scaled_dot_product_attention``,
  gather back. Cost O(B max_length^2); the CPU default.
- ``"block_mask"``: one ``scaled_dot_product_attention`` over all T particles with a dense
  (T, T) block-diagonal mask. Cost O(T^2); simple, for small batches.
- ``"flex"``: ``torch.nn.attention.flex_attention`` with a block-sparse mask built from event ids
  (:mod:`.flex`); the CUDA default. On CPU it runs unfused (for tests).

``"auto"`` picks ``"flex"`` on CUDA (where the installed torch has it) and ``"pad"`` elsewhere.
"""

from __future__ import annotations

import torch
from torch.nn.functional import scaled_dot_product_attention

from .flex import flex_available, flex_packed_attention
from .padded import padded_attention
from .segments import PackedSegments

BACKENDS = ("auto", "pad", "block_mask", "flex")


def resolve_backend(backend: str, device: torch.device) -> str:
    """The concrete backend ``backend`` stands for on ``device`` ("auto" resolved).

    Parameters
    ----------
    backend : str
        One of ``BACKENDS``.
    device : torch.device

    Returns
    -------
    str
        "pad", "block_mask" or "flex".
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown attention backend {backend!r}; choose from {BACKENDS}")
    if backend == "auto":
        return "flex" if device.type == "cuda" and flex_available() else "pad"
    if backend == "flex" and not flex_available():
        raise ValueError("backend 'flex' needs torch.nn.attention.flex_attention (torch >= 2.5)")
    return backend


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
        One of ``BACKENDS``.

    Returns
    -------
    torch.Tensor with shape (H, T, F)
    """
    backend = resolve_backend(backend, query.device)
    if query.shape[-2] != segments.num_items:
        raise ValueError(f"queries have {query.shape[-2]} items, segments {segments.num_items}")
    if backend == "pad":
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
            return flex_packed_attention(query, key, value, segments)
        mask = segments.event_ids[:, None] == segments.event_ids[None, :]
        return scaled_dot_product_attention(query, key, value, attn_mask=mask)
