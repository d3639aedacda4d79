"""The Lorentz group equivariant block (LGEB) of LorentzNet (arXiv 2201.08187)."""

from __future__ import annotations

import torch
from torch import nn

from ...lorentz import minkowski_dot, pairwise_dots
from .masked_batch_norm import MaskedBatchNorm1d
from .signed_log import signed_log


class LGEB(nn.Module):
    """One message-passing step on the complete graph of real particles (no self-edges).

    With psi = :func:`signed_log`, for every edge i != j

        m_ij = phi_e(h_i, h_j, psi(|x_i - x_j|^2), psi(x_i . x_j)) * sigmoid(phi_m(...)),
        x_i <- x_i + c * mean_j (x_i - x_j) phi_x(m_ij),
        h_i <- h_i + phi_h(h_i, sum_j m_ij, s_i),

    where s are the input scalars. The coordinate update is a sum of four-vectors with invariant
    weights, so x stays exactly Lorentz covariant and h invariant.

    Parameters
    ----------
    hidden_channels : int
    scalar_channels : int
        Width of the input scalars s re-fed to every block.
    c_weight : float
        Weight c of the coordinate update.
    update_momenta : bool
        False for the last block, whose x is never used.
    dropout : float
        Dropout on the node update.
    """

    def __init__(
        self,
        hidden_channels: int,
        scalar_channels: int,
        c_weight: float = 1e-3,
        update_momenta: bool = True,
        dropout: float = 0.0,
    ):
        super().__init__()
        h = hidden_channels
        self.hidden_channels = h
        self.c_weight = c_weight
        self.edge_linear = nn.Linear(2 * h + 2, h, bias=False)
        self.edge_norm = MaskedBatchNorm1d(h)
        self.edge_out = nn.Linear(h, h)
        self.gate = nn.Linear(h, 1)
        self.node_linear = nn.Linear(2 * h + scalar_channels, h)
        self.node_norm = MaskedBatchNorm1d(h)
        self.node_out = nn.Linear(h, h)
        self.dropout = nn.Dropout(dropout)
        self.update_momenta = update_momenta
        if update_momenta:
            self.coord_hidden = nn.Linear(h, h)
            self.coord_out = nn.Linear(h, 1, bias=False)
            # a tiny initial coordinate update keeps early training stable (as in the paper)
            nn.init.xavier_uniform_(self.coord_out.weight, gain=0.001)

    def forward(
        self,
        h: torch.Tensor,
        x: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor,
        clamp: float | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Apply the block.

        Parameters
        ----------
        h : torch.Tensor with shape (B, N, H)
            Invariant node features.
        x : torch.Tensor with shape (B, N, 4)
            Covariant coordinates (E, px, py, pz).
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, S)
            The network's input scalars.
        clamp : float, optional
            Clamp each coordinate message to [-clamp, clamp] (the original code's +-100, which
            breaks exact equivariance); None for no clamp.

        Returns
        -------
        h : torch.Tensor with shape (B, N, H), zero for padded particles.
        x : torch.Tensor with shape (B, N, 4)
        """
        n = h.shape[1]
        eye = torch.eye(n, dtype=torch.bool, device=h.device)
        edge_mask = mask[:, :, None] & mask[:, None, :] & ~eye
        diff = x[:, :, None, :] - x[:, None, :, :]
        norms = signed_log(minkowski_dot(diff, diff))
        dots = signed_log(pairwise_dots(x))

        # phi_e's first layer acts on [h_i, h_j, norm_ij, dot_ij]; split it to avoid (B, N, N, 2H)
        weight = self.edge_linear.weight
        hh = self.hidden_channels
        m = (h @ weight[:, :hh].T)[:, :, None, :] + (h @ weight[:, hh : 2 * hh].T)[:, None, :, :]
        m = m + norms[..., None] * weight[:, 2 * hh] + dots[..., None] * weight[:, 2 * hh + 1]
        m = torch.relu(self.edge_norm(m, edge_mask))
        m = torch.relu(self.edge_out(m))
        m = m * torch.sigmoid(self.gate(m))
        m = m * edge_mask[..., None]

        if self.update_momenta:
            trans = diff * self.coord_out(torch.relu(self.coord_hidden(m)))
            if clamp is not None:
                trans = trans.clamp(-clamp, clamp)
            trans = trans * edge_mask[..., None]
            neighbours = edge_mask.sum(dim=2, keepdim=True).clamp(min=1).to(x.dtype)
            x = x + self.c_weight * trans.sum(dim=2) / neighbours

        node = torch.cat((h, m.sum(dim=2), scalars), dim=-1)
        node = torch.relu(self.node_norm(self.node_linear(node), mask))
        h = h + self.node_out(self.dropout(node))
        return h * mask[..., None], x
