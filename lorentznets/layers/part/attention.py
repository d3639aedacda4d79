"""The ParT particle attention: scaled dot products plus an additive pair bias, softmax, dropout."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F

from .dropout import random_bit_dropout


def standard_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
) -> torch.Tensor:
    """``scaled_dot_product_attention`` over (B, H, N, D) heads, with a faster CPU training path.

    With attention dropout on the CPU, torch falls back to its unfused computation, which draws a
    Bernoulli mask and guards against fully masked query rows (three more passes over the weights);
    here the weights are computed explicitly and dropped with :func:`random_bit_dropout`. No row may
    be fully masked there: in ParT every query sees at least the real particles of its jet.

    Parameters
    ----------
    q, k, v : torch.Tensor with shape (B, H, N_q or N_k, D)
    attn_mask : torch.Tensor with shape broadcastable to (B, H, N_q, N_k), optional
        Additive float bias (``-inf`` on masked keys).
    dropout_p : float
        Dropout on the attention weights.

    Returns
    -------
    torch.Tensor with shape (B, H, N_q, D)
    """
    if dropout_p == 0.0 or q.device.type != "cpu":
        return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p)
    scores = (q * (1.0 / math.sqrt(q.shape[-1]))) @ k.transpose(-1, -2)
    if attn_mask is not None:
        scores = scores + attn_mask
    return random_bit_dropout(scores.softmax(dim=-1), dropout_p) @ v
