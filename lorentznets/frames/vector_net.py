"""Equivariant prediction of a few four-vectors per particle from the particle four-momenta."""

from __future__ import annotations

import torch
from torch import nn

from ..lorentz import minkowski_dot
from .references import reference_vectors


class EquivariantVectorNet(nn.Module):
    """``v_ik = sum_j w_ijk (p_i + p_j) / |p_i + p_j|`` with softmax weights over the other particles j.

    The logits ``w_ijk`` come from an MLP on Lorentz invariants of the pair: ``ln <p_i, p_j>``,
    ``ln m_i^2``, ``ln m_j^2`` (in units of ``scale``, clamped), the per-particle scalars of i and j,
    and the products ``<p_i, r>`` with optional reference vectors r (beam, time) that break the
    symmetry. Since the weights are positive and sum to one over physical (future, non-spacelike)
    momenta, every predicted vector is future timelike: a valid boost for the polar decomposition
    and a valid first vector for Gram-Schmidt. This is the Frames-Net of LLoCa (arXiv 2505.20280,
    sec. 3) in a dense, sync-free form.

    Parameters
    ----------
    num_vectors : int
        Vectors per particle.
    num_scalars : int
        Per-particle scalar inputs.
    hidden_channels, num_layers : int
        Width and hidden layers of the MLP.
    references : tuple of str
        Reference vectors seen by the net (see :mod:`lorentznets.frames.references`).
    scale : float
        Momentum unit in GeV for the logarithms.
    """

    def __init__(
        self,
        num_vectors: int,
        num_scalars: int = 0,
        hidden_channels: int = 32,
        num_layers: int = 2,
        references: tuple[str, ...] = (),
        scale: float = 1.0,
    ) -> None:
        super().__init__()
        self.num_vectors = num_vectors
        self.scale = scale
        self.register_buffer("references", reference_vectors(tuple(references)), persistent=False)
        in_channels = 3 + 2 * num_scalars + 2 * len(references)
        layers: list[nn.Module] = []
        for _ in range(num_layers):
            layers += [nn.Linear(in_channels, hidden_channels), nn.GELU()]
            in_channels = hidden_channels
        layers.append(nn.Linear(in_channels, num_vectors))
        self.mlp = nn.Sequential(*layers)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> torch.Tensor:
        """Predict vectors.

        Parameters
        ----------
        momenta : torch.Tensor with shape (B, N, 4)
            (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, num_scalars), optional

        Returns
        -------
        torch.Tensor with shape (B, N, num_vectors, 4)
            Padded particles, and real ones without a real partner, get zero vectors (hence
            degenerate but finite frames), which callers mask.
        """
        p_i, p_j = momenta.unsqueeze(2), momenta.unsqueeze(1)
        unit2 = self.scale**2
        log_dot = (minkowski_dot(p_i, p_j) / unit2).clamp(min=1e-6).log()
        log_mass = (minkowski_dot(momenta, momenta) / unit2).clamp(min=1e-6).log()
        num = momenta.shape[1]
        invariants = [log_dot, log_mass.unsqueeze(2).expand(-1, -1, num), log_mass.unsqueeze(1).expand(-1, num, -1)]
        inputs = torch.stack(invariants, dim=-1)
        per_particle = [] if scalars is None else [scalars]
        if len(self.references):
            per_particle.append(minkowski_dot(momenta.unsqueeze(-2), self.references.to(momenta.dtype)) / self.scale)
        if per_particle:
            node = torch.cat(per_particle, dim=-1)
            pair = torch.cat((node.unsqueeze(2).expand(-1, -1, num, -1), node.unsqueeze(1).expand(-1, num, -1, -1)), -1)
            inputs = torch.cat((inputs, pair), dim=-1)
        logits = self.mlp(inputs)
        pair_mask = mask.unsqueeze(2) & mask.unsqueeze(1) & ~torch.eye(num, dtype=torch.bool, device=mask.device)
        # finfo.min, not -inf: a particle without partners gets finite uniform weights, then zeros
        logits = logits.masked_fill(~pair_mask.unsqueeze(-1), torch.finfo(logits.dtype).min)
        weights = logits.softmax(dim=2) * pair_mask.unsqueeze(-1)
        total = p_i + p_j
        direction = total / minkowski_dot(total, total).abs().clamp(min=1e-12).sqrt().unsqueeze(-1)
        return torch.einsum("bijk,bijm->bikm", weights, direction)
