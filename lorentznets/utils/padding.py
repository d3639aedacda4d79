"""Padded particle slots set to a neutral value (zero, the identity frame) without reading them."""

from __future__ import annotations

import torch


def zero_padding(x: torch.Tensor, mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``x`` in ``dtype`` with zeros in the padded slots, whatever they held (NaN and inf included).

    A padded slot's value then cannot reach a real particle's output, even through a product
    with zero (``0 * NaN`` is NaN); no value is read on the host.

    Parameters
    ----------
    x : torch.Tensor with shape (B, N, ...)
    mask : torch.Tensor with shape (B, N), bool
        True for real particles.
    dtype : torch.dtype
        The net's parameters' (lower float precisions are cast up, as under autocast).

    Returns
    -------
    torch.Tensor with shape of ``x``
    """
    real = mask.reshape(*mask.shape, *(1,) * (x.dim() - 2))
    return x.to(dtype).masked_fill(~real, 0.0)


def identity_padding(frames: torch.Tensor, mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``frames`` in ``dtype`` with the identity in the padded slots (see :func:`zero_padding`).

    Parameters
    ----------
    frames : torch.Tensor with shape (B, N, 4, 4)
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (B, N, 4, 4)
    """
    identity = torch.eye(4, dtype=dtype, device=frames.device)
    return torch.where(mask[..., None, None], frames.to(dtype), identity)
