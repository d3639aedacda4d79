"""Dropout whose CPU mask is drawn as raw random bits instead of Bernoulli samples."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def random_bit_dropout(x: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    """Inverted dropout: zero each entry with probability ``p``, scale the rest by ``1 / (1 - p)``.

    The same distribution as :func:`torch.nn.functional.dropout`. On the CPU the keep mask compares
    uniform 32-bit integers with a threshold (``p`` resolved to 2^-32): torch's CPU Bernoulli
    sampler takes about 10 ms per million entries on one thread, six times as long as drawing the
    bits, and ParT draws several million per training step. Other devices use torch's dropout.

    Parameters
    ----------
    x : torch.Tensor with any shape
    p : float
        Drop probability, in [0, 1].
    training : bool
        False: ``x`` unchanged.

    Returns
    -------
    torch.Tensor with the shape of ``x``
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability {p} is not in [0, 1]")
    if not training or p == 0.0:
        return x
    if x.device.type != "cpu" or p == 1.0:
        return F.dropout(x, p, training=True)
    numel = x.numel()
    # int64 draws over (almost) their full range, read as twice as many uniform int32
    bits = torch.randint(-(2**63), 2**63 - 1, ((numel + 1) // 2,), dtype=torch.int64, device=x.device)
    bits = bits.view(torch.int32)[:numel].view(x.shape)
    # P(bits >= threshold) = (2^31 - threshold) / 2^32 = 1 - p
    keep = bits >= round(p * 2**32) - 2**31
    return x * keep.to(x.dtype).mul_(1.0 / (1.0 - p))


class RandomBitDropout(nn.Dropout):
    """:class:`torch.nn.Dropout` (same arguments, still an instance of it) through
    :func:`random_bit_dropout`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Drop entries of ``x`` (any shape) in training mode."""
        return random_bit_dropout(x, self.p, self.training)
