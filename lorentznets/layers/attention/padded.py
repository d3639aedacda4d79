"""Scaled dot-product attention on padded batches."""

from __future__ import annotations

import torch
from torch.nn.functional import scaled_dot_product_attention


def padded_attention(
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    key_mask: torch.Tensor | None = None,
) -> torch.Tensor:
    """Softmax attention over the item axis, ignoring masked keys, in float32 or higher.

    Parameters
    ----------
    query, key, value : torch.Tensor with shape (B, H, N, F)
    key_mask : torch.Tensor with shape (B, N), bool, or None
        True for real items. Every event needs at least one real item.

    Returns
    -------
    torch.Tensor with shape (B, H, N, F)
        Rows of padded queries are attention over the real keys of their event (finite).
    """
    dtype = torch.promote_types(query.dtype, torch.float32)
    attn_mask = None
    if key_mask is not None:
        if key_mask.shape != (query.shape[0], key.shape[-2]):
            raise ValueError(f"key_mask must have shape {(query.shape[0], key.shape[-2])}, got {tuple(key_mask.shape)}")
        attn_mask = key_mask[:, None, None, :]
    with torch.autocast(query.device.type, enabled=False):
        return scaled_dot_product_attention(query.to(dtype), key.to(dtype), value.to(dtype), attn_mask=attn_mask)
