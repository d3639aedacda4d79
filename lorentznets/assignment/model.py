"""An assignment network: any per-jet backbone followed by one head pair per particle."""

from __future__ import annotations

import torch
from torch import nn

from .heads import DetectionHead, SymmetricTensorAttention
from .topology import EventTopology


class AssignmentHeads(nn.Module):
    """Assignment and detection heads for every particle of an event topology.

    Parameters
    ----------
    topology : EventTopology
    features : int
        Size D of the per-jet features produced by the backbone.
    rank : int
        Rank of each symmetric score tensor.
    """

    def __init__(self, topology: EventTopology, features: int, rank: int = 32):
        super().__init__()
        self.topology = topology
        self.assignment = nn.ModuleList(
            SymmetricTensorAttention(features, p.symmetries, rank) for p in topology.particles
        )
        self.detection = nn.ModuleList(DetectionHead(features) for _ in topology.particles)

    def forward(self, jets: torch.Tensor, mask: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """
        Parameters
        ----------
        jets : torch.Tensor with shape (B, N, D)
        mask : torch.Tensor with shape (B, N), bool

        Returns
        -------
        log_probs : list of torch.Tensor
            Per particle, shape (B, N, ..., N) with one jet axis per product.
        detection_logits : torch.Tensor with shape (B, P)
        """
        log_probs = [head(jets, mask)[0] for head in self.assignment]
        detection = torch.stack([head(jets, mask) for head in self.detection], dim=-1)
        return log_probs, detection
