"""Embedding of the flow time t in [0, 1] as features for a velocity network."""

import math

import torch
from torch import nn

__all__ = ["GaussianFourierTimeEmbedding"]


class GaussianFourierTimeEmbedding(nn.Module):
    """Random Fourier features ``[sin(2 pi w t), cos(2 pi w t)]`` with fixed Gaussian frequencies.

    Parameters
    ----------
    channels : int
        Output features (even).
    scale : float
        Standard deviation of the frequencies w.
    seed : int
        Seed for drawing the frequencies, so that a model is reproducible from its config.

    Examples
    --------
    >>> GaussianFourierTimeEmbedding(8)(torch.rand(5)).shape
    torch.Size([5, 8])
    """

    def __init__(self, channels: int, scale: float = 4.0, seed: int = 0):
        super().__init__()
        if channels < 2 or channels % 2:
            raise ValueError(f"GaussianFourierTimeEmbedding: channels must be even >= 2, got {channels}")
        generator = torch.Generator().manual_seed(seed)
        self.register_buffer("frequencies", scale * torch.randn(channels // 2, generator=generator))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        """Embed times.

        Parameters
        ----------
        t : torch.Tensor with shape (B,)

        Returns
        -------
        torch.Tensor with shape (B, channels)
        """
        angle = 2 * math.pi * t[..., None] * self.frequencies.to(t.dtype)
        return torch.cat([torch.sin(angle), torch.cos(angle)], dim=-1)
