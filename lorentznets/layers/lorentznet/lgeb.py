"""The Lorentz group equivariant block (LGEB) of LorentzNet (arXiv 2201.08187)."""

from __future__ import annotations

import torch
from torch import nn

from ...lorentz import minkowski_dot, pairwise_dots
from .edge_sum import edge_sum
from .masked_batch_norm import MaskedBatchNorm1d
from .pair_batch_norm import complete_graph_batch_norm
from .signed_log import signed_log


class LGEB(nn.Module):
    """One message-passing step on the complete graph of real particles (no self-edges).

    With psi = :func:`signed_log`, for every edge i != j

        m_ij = phi_e(h_i, h_j, psi(|x_i - x_j|^2), psi(x_i . x_j)) * sigmoid(phi_m(...)),
        x_i <- x_i + c * mean_j (x_i - x_j) phi_x(m_ij),
        h_i <- h_i + phi_h(h_i, sum_j m_ij, s_i),

    where s are the input scalars. The coordinate update is a sum of four-vectors with invariant
    weights, so x stays exactly Lorentz covariant and h invariant.

    The edges are either every (i, j) of the padded (B, N, N) grid, masked (``edges=None``), or an
    edge list of the real pairs only (:func:`~lorentznets.layers.lorentznet.real_pairs`, built
    where the batch is assembled): same result, cost proportional to the number of real pairs.
    In both forms phi_e's first layer is split into per-particle products h W_i and h W_j added
    per edge, so no (edges, 2H + 2) concatenation is formed. The batch norm that follows is folded
    into those products: with the running statistics when evaluating, and over an edge list in
    training too, its batch statistics being sums over particles
    (:func:`~lorentznets.layers.lorentznet.pair_batch_norm.complete_graph_batch_norm`).

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
        edges: torch.Tensor | None = None,
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
        edges : torch.Tensor with shape (2, E), int64, optional
            ``real_pairs(mask)``: pass messages over these pairs only instead of the padded grid.
            Exactly that list (every ordered real pair): the training-mode batch norm takes its
            statistics from sums over the sets of ``mask``.

        Returns
        -------
        h : torch.Tensor with shape (B, N, H), zero for padded particles.
        x : torch.Tensor with shape (B, N, 4)
        """
        if edges is None:
            messages, shift = self._dense_messages(h, x, mask, clamp)
        else:
            messages, shift = self._edge_messages(h, x, mask, edges, clamp)
        if self.update_momenta:
            x = x + self.c_weight * shift
        node = torch.cat((h, messages, scalars), dim=-1)
        node = torch.relu(self.node_norm(self.node_linear(node), mask))
        h = h + self.node_out(self.dropout(node))
        return h * mask[..., None], x

    def _pair_weights(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """phi_e's first layer split into per-particle halves, with its batch norm folded in when evaluating.

        Returns ``a`` (..., N, H) and ``b`` (..., N, H), the receiver's and sender's parts, and the
        (2, H) weights of (psi(norm), psi(dot)); the edge pre-activation is a_i + b_j + [norm, dot] w.
        """
        weight, hh = self.edge_linear.weight, self.hidden_channels
        w_i, w_j, w_pair = weight[:, :hh].T, weight[:, hh : 2 * hh].T, weight[:, 2 * hh :].T
        if self.training:
            return h @ w_i, h @ w_j, w_pair
        scale, shift = self.edge_norm.folded_affine()
        return torch.addmm(shift, h.flatten(0, -2), w_i * scale).view_as(h), h @ (w_j * scale), w_pair * scale

    def _edge_features(self, m: torch.Tensor) -> torch.Tensor:
        """The rest of phi_e after its batch norm, gated by phi_m; (..., H) -> (..., H)."""
        # in place: m is a fresh intermediate whose value no backward needs
        m = torch.relu_(self.edge_out(torch.relu_(m)))
        return m * torch.sigmoid(self.gate(m))

    def _coordinate_weights(self, m: torch.Tensor) -> torch.Tensor:
        """phi_x: (..., H) -> (..., 1)."""
        return self.coord_out(torch.relu(self.coord_hidden(m)))

    def _dense_messages(
        self, h: torch.Tensor, x: torch.Tensor, mask: torch.Tensor, clamp: float | None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Summed messages (B, N, H) and mean coordinate message (B, N, 4) over the padded grid."""
        n = h.shape[1]
        eye = torch.eye(n, dtype=torch.bool, device=h.device)
        edge_mask = mask[:, :, None] & mask[:, None, :] & ~eye
        diff = x[:, :, None, :] - x[:, None, :, :]
        pair = signed_log(torch.stack((minkowski_dot(diff, diff), pairwise_dots(x)), dim=-1))
        a, b, w_pair = self._pair_weights(h)
        m = a[:, :, None, :] + b[:, None, :, :] + pair @ w_pair
        if self.training:  # in evaluation mode _pair_weights folded the batch norm in
            m = self.edge_norm(m, edge_mask)
        m = self._edge_features(m) * edge_mask[..., None]
        shift = None
        if self.update_momenta:
            trans = diff * self._coordinate_weights(m)
            if clamp is not None:
                trans = trans.clamp(-clamp, clamp)
            trans = trans * edge_mask[..., None]
            neighbours = edge_mask.sum(dim=2, keepdim=True).clamp(min=1).to(x.dtype)
            shift = trans.sum(dim=2) / neighbours
        return m.sum(dim=2), shift

    def _edge_messages(
        self, h: torch.Tensor, x: torch.Tensor, mask: torch.Tensor, edges: torch.Tensor, clamp: float | None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Summed messages (B, N, H) and mean coordinate message (B, N, 4) over an edge list."""
        batch, n, hh = h.shape
        x_flat = x.reshape(batch * n, 4)
        receiver, sender = edges[0], edges[1]
        x_i, x_j = x_flat[receiver], x_flat[sender]
        diff = x_i - x_j
        pair = signed_log(torch.stack((minkowski_dot(diff, diff), minkowski_dot(x_i, x_j)), dim=-1))
        a, b, w_pair = self._pair_weights(h.reshape(batch * n, hh))
        if self.training:
            a, b, w_pair = complete_graph_batch_norm(self.edge_norm, a, b, w_pair, pair, edges, mask)
        m = self._edge_features(edge_sum(a, b, w_pair, pair, edges))
        messages = h.new_zeros(batch * n, hh).index_add_(0, receiver, m).reshape(batch, n, hh)
        shift = None
        if self.update_momenta:
            trans = diff * self._coordinate_weights(m)
            if clamp is not None:
                trans = trans.clamp(-clamp, clamp)
            summed = x_flat.new_zeros(batch * n, 4).index_add_(0, receiver, trans)
            count = x_flat.new_zeros(batch * n).index_add_(0, receiver, x_flat.new_ones(receiver.shape))
            shift = (summed / count.clamp(min=1)[:, None]).reshape(batch, n, 4)
        return messages, shift
