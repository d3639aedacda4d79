"""Equivariant prediction of a few four-vectors per particle from the particle four-momenta."""

from __future__ import annotations

import torch
from torch import nn

from ..lorentz import minkowski_dot
from .frame_ops import frame_matmul
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

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        pairs: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predict vectors.

        Parameters
        ----------
        momenta : torch.Tensor with shape (B, N, 4)
            (E, px, py, pz) in GeV. The invariants, the softmax weights and the weighted sums of
            directions are computed in this dtype, the MLP in its parameters' (float64 momenta
            into a float32 net keep the geometry in float64).
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, num_scalars), optional
        pairs : torch.Tensor with shape (2, E), int64, optional
            The ordered pairs i != j of real particles as flat indices ``b * N + i`` (receiver,
            row 0) and ``b * N + j`` (row 1), from
            :func:`lorentznets.layers.lorentznet.real_pairs` on the host: the same vectors,
            computed over the E real pairs instead of all B N^2 slots.

        Returns
        -------
        torch.Tensor with shape (B, N, num_vectors, 4), dtype of ``momenta``
            Padded particles, and real ones without a real partner, get zero vectors (hence
            degenerate but finite frames), which callers mask.
        """
        node = self._node_features(momenta, scalars)
        if pairs is None:
            return self._dense(momenta, mask, node)
        batch, num = mask.shape
        receiver, sender = pairs
        flat, node = momenta.reshape(batch * num, 4), node.reshape(batch * num, node.shape[-1])
        logits = self._logits(self._pair_inputs(flat[receiver], flat[sender], node[receiver], node[sender]))
        logits = logits.to(momenta.dtype)
        # softmax over each receiver's partners; the shift by the segment maximum only guards exp
        peak = logits.new_full((batch * num, self.num_vectors), torch.finfo(logits.dtype).min)
        peak = peak.scatter_reduce(0, receiver.unsqueeze(1).expand_as(logits), logits.detach(), "amax")
        weights = (logits - peak[receiver]).exp()
        weights = weights / weights.new_zeros(peak.shape).index_add(0, receiver, weights)[receiver]
        terms = weights.unsqueeze(-1) * self._directions(flat[receiver] + flat[sender]).unsqueeze(-2)
        vectors = terms.new_zeros(batch * num, self.num_vectors, 4).index_add(0, receiver, terms)
        return vectors.reshape(batch, num, self.num_vectors, 4)

    def _node_features(self, momenta: torch.Tensor, scalars: torch.Tensor | None) -> torch.Tensor:
        # (..., 1 + num_scalars + len(references)) in the MLP's dtype: ln m^2 first, then what
        # pairs see of each side; the invariants in the dtype of the momenta
        dtype = self.mlp[0].weight.dtype
        log_mass = (minkowski_dot(momenta, momenta) / self.scale**2).clamp(min=1e-6).log().unsqueeze(-1)
        node = [log_mass.to(dtype)] if scalars is None else [log_mass.to(dtype), scalars.to(dtype)]
        if len(self.references):
            products = minkowski_dot(momenta.unsqueeze(-2), self.references.to(momenta.dtype)) / self.scale
            node.append(products.to(dtype))
        return torch.cat(node, dim=-1)

    def _pair_inputs(
        self, p_i: torch.Tensor, p_j: torch.Tensor, node_i: torch.Tensor, node_j: torch.Tensor
    ) -> torch.Tensor:
        # MLP inputs (..., 3 + 2 num_scalars + 2 len(references)): ln <p_i, p_j>, ln m_i^2, ln m_j^2,
        # then the other node features of i and of j
        log_dot = (minkowski_dot(p_i, p_j) / self.scale**2).clamp(min=1e-6).log().unsqueeze(-1).to(node_i.dtype)
        return torch.cat((log_dot, node_i[..., :1], node_j[..., :1], node_i[..., 1:], node_j[..., 1:]), dim=-1)

    def _logits(self, inputs: torch.Tensor) -> torch.Tensor:
        # the MLP, its first layer as inputs @ W^T with W^T made contiguous: autograd then forms the
        # weight gradient as inputs^T @ grad ((K, P) @ (P, H)) instead of grad^T @ inputs ((H, P) @
        # (P, K)), which CPU GEMMs run about four times slower for the few input channels K
        first = self.mlp[0]
        hidden = torch.addmm(first.bias, inputs.flatten(0, -2), first.weight.t().contiguous())
        return self.mlp[1:](hidden).unflatten(0, inputs.shape[:-1])

    @staticmethod
    def _directions(total: torch.Tensor) -> torch.Tensor:
        # (p_i + p_j) / |p_i + p_j|: unit timelike for physical momenta
        return total / minkowski_dot(total, total).abs().clamp(min=1e-12).sqrt().unsqueeze(-1)

    def _dense(self, momenta: torch.Tensor, mask: torch.Tensor, node: torch.Tensor) -> torch.Tensor:
        # every slot pair (B, N, N), padded ones masked: no host input needed (ONNX export, small N)
        num = momenta.shape[1]
        p_i, p_j = momenta.unsqueeze(2), momenta.unsqueeze(1)
        node_i = node.unsqueeze(2).expand(-1, -1, num, -1)
        node_j = node.unsqueeze(1).expand(-1, num, -1, -1)
        logits = self._logits(self._pair_inputs(p_i, p_j, node_i, node_j)).to(momenta.dtype)
        pair_mask = mask.unsqueeze(2) & mask.unsqueeze(1) & ~torch.eye(num, dtype=torch.bool, device=mask.device)
        # finfo.min, not -inf: a particle without partners gets finite uniform weights, then zeros
        logits = logits.masked_fill(~pair_mask.unsqueeze(-1), torch.finfo(logits.dtype).min)
        weights = logits.softmax(dim=2) * pair_mask.unsqueeze(-1)
        # (B, N, K, N) @ (B, N, N, 4): sum over partners j, outside autocast like the edge form's sums
        return frame_matmul(weights.transpose(2, 3), self._directions(p_i + p_j))
