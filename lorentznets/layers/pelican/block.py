"""One PELICAN block: a per-pair message MLP followed by the equivariant 2->2 aggregation."""

from __future__ import annotations

import torch
from torch import nn

from .equivariant_2to2 import Equivariant2to2


class PELICANBlock(nn.Module):
    """Per-pair Linear, LeakyReLU, RMSNorm, dropout; then :class:`Equivariant2to2` and LeakyReLU.

    The normalisation acts on each pair's channels alone (no batch statistics), so a jet's
    output does not depend on the other jets in the batch or on how much padding it carries.

    Parameters
    ----------
    in_channels : int
    message_channels : int
        Width of the per-pair message, the input of the 2->2 aggregation.
    out_channels : int
    average_particles : float
    dropout : float
    """

    def __init__(
        self,
        in_channels: int,
        message_channels: int,
        out_channels: int,
        average_particles: float = 49.0,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.message = nn.Linear(in_channels, message_channels)
        self.norm = nn.RMSNorm(message_channels)
        self.dropout = nn.Dropout(dropout)
        self.aggregation = Equivariant2to2(message_channels, out_channels, average_particles)
        self.activation = nn.LeakyReLU(0.01)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Apply the block.

        Parameters
        ----------
        x : torch.Tensor with shape (B, N, N, C_in)
        mask : torch.Tensor with shape (B, N), bool

        Returns
        -------
        torch.Tensor with shape (B, N, N, C_out), zero on padded pairs.
        """
        message = self.dropout(self.norm(self.activation(self.message(x))))
        pair_mask = mask[:, :, None] & mask[:, None, :]
        message = message.masked_fill(~pair_mask[..., None], 0.0)
        return self.activation(self.aggregation(message, mask))
