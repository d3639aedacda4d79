"""One Clebsch-Gordan level of the Lorentz Group Network."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import torch
from torch import nn

from ...irreps import Irrep, sort_irreps
from ..arguments import check_choice
from .cg_product import ChannelwiseCGProduct
from .features import SCALAR, VECTOR, IrrepFeatures, apply_mask, check_features
from .irrep_linear import IrrepLinear
from .pair_weights import PairWeights
from .scalar_mlp import ScalarMLP


class CGLevel(nn.Module):
    """``F_i -> MLP_(0,0)( W ( F_i (+) CG[F_i (x) F_i] (+) CG[sum_j f(p_ij^2) F_j (x) p_ij] ) )``.

    For every particle i, the level concatenates per irrep (all truncated at ``maxdim``):

    * the input activations F_i,
    * the channel-wise Clebsch-Gordan square ``CG[F_i (x) F_i]``,
    * the message ``sum_j f_c(p_ij^2) CG[F_j (x) p_ij]`` with ``p_ij = p_i - p_j`` as a ``(1, 1)``
      irrep and learnable invariant weights ``f_c`` (``PairWeights``), summed (as the original) or
      averaged over the real particles of the jet,

    mixes channels within each irrep (``IrrepLinear``) and applies an MLP to the invariant
    ``(0, 0)`` channels. Every step is Lorentz equivariant and permutation equivariant.

    By bilinearity the message is evaluated as ``CG[G_i (x) p_i] - sum_j f_ij CG[F_j (x) p_j]`` with
    ``G_i = sum_j f_ij F_j``: O(N^2 C d) instead of O(N^2) Clebsch-Gordan products.

    Parameters
    ----------
    in_irreps : iterable of (int, int)
        Irreps of the input activations; each has ``in_channels`` channels.
    in_channels, out_channels : int
    maxdim : int
        Keep irreps ``(k, n)`` with ``k, n <= maxdim``.
    mlp_depth, mlp_width_factor : int
        Hidden layers and width factor of the ``(0, 0)`` MLP (``mlp_depth = 0``: no MLP).
    activation : str
        Nonlinearity of the MLP.
    num_basis : int
        Number of Lorentzians in ``PairWeights``.
    aggregation : str
        "sum" (default, as the original; trains much faster on jets, whose pair invariants are
        small) or "mean" over the real particles j.
    keep : iterable of (int, int), optional
        Output only these irreps (e.g. ``[(0, 0)]`` for the last level, whose other irreps would
        be discarded); default: every irrep up to ``maxdim``.

    Attributes
    ----------
    out_irreps : list of (int, int)
    """

    def __init__(
        self,
        in_irreps: Iterable[Irrep],
        in_channels: int,
        out_channels: int,
        maxdim: int,
        mlp_depth: int = 3,
        mlp_width_factor: int = 2,
        activation: str = "leaky_relu",
        num_basis: int = 10,
        aggregation: str = "sum",
        keep: Iterable[Irrep] | None = None,
    ) -> None:
        super().__init__()
        check_choice("aggregation", aggregation, ("sum", "mean"))
        self.aggregation = aggregation
        self.in_irreps = sort_irreps(in_irreps)
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        keep = None if keep is None else sort_irreps(keep)
        self.square = ChannelwiseCGProduct(self.in_irreps, self.in_irreps, maxdim, symmetric=True, keep=keep)
        self.with_momentum = ChannelwiseCGProduct(self.in_irreps, [VECTOR], maxdim, keep=keep)
        self.pair_weights = PairWeights(self.in_channels, num_basis)
        tau: dict[Irrep, int] = {r: self.in_channels for r in self.in_irreps if keep is None or r in keep}
        for products in (self.square, self.with_momentum):
            for r, m in products.out_multiplicities.items():
                tau[r] = tau.get(r, 0) + m * self.in_channels
        self.out_irreps = sort_irreps(tau)
        self.linear = IrrepLinear(tau, self.out_channels)
        self.mlp = (
            ScalarMLP(self.out_channels, mlp_depth, mlp_width_factor, activation)
            if mlp_depth > 0 and SCALAR in self.out_irreps
            else None
        )

    def forward(
        self,
        features: IrrepFeatures,
        momenta: torch.Tensor,
        pair_invariants: torch.Tensor,
        mask: torch.Tensor | None = None,
        edges: torch.Tensor | None = None,
    ) -> IrrepFeatures:
        """Apply the level.

        Parameters
        ----------
        features : dict of complex tensors with shape (B, N, in_channels, d)
        momenta : torch.Tensor with shape (B, N, 1, 4), complex
            Particle momenta as ``(1, 1)`` irreps (see ``lorentznets.irreps.vector_to_irrep``).
        pair_invariants : torch.Tensor with shape (B, N, N), or (E,) with ``edges``, real
            ``(p_i - p_j)^2``.
        mask : torch.Tensor with shape (B, N), bool, optional
            True for real particles; required with ``edges``.
        edges : torch.Tensor with shape (2, E), int64, optional
            :func:`~lorentznets.layers.lorentznet.real_pairs` of ``mask``: evaluate the pair
            weights ``f(p_ij^2)`` (the costly elementwise part) on these pairs only and scatter
            them into the (B, N, N) grid of the batched matmul. The self-pairs i = i, absent from
            the list, carry no message (``p_ii = 0``): same result up to rounding.

        Returns
        -------
        dict of complex tensors with shape (B, N, out_channels, d), keys ``out_irreps``
        """
        check_features(features)
        wrong = {r: x.shape[2] for r, x in features.items() if x.shape[2] != self.in_channels}
        missing = [r for r in self.in_irreps if r not in features]
        if wrong or missing:
            raise ValueError(
                f"CGLevel expects irreps {self.in_irreps} with {self.in_channels} channels each; "
                f"missing {missing}, wrong channel counts {wrong}"
            )
        weights = self.pair_weights(pair_invariants)  # (B, N, N, C), or (E, C) with edges
        if edges is None:
            aggregate = partial(_aggregate, self._grid_weights(weights, mask).to(momenta.dtype))
        elif mask is None:
            raise ValueError("CGLevel needs the mask with an edge list")
        else:
            if self.aggregation == "mean":
                count = mask.sum(dim=1).clamp(min=1).to(weights.dtype)
                weights = weights / count[edges[0] // mask.shape[1], None]
            # messages stay a batched matmul over the grid: gathering (E, C, sum m d) sender
            # features per pair was slower and much larger (measured)
            n = mask.shape[1]
            grid = weights.new_zeros(mask.shape[0] * n * n, weights.shape[-1])
            grid = grid.index_copy(0, edges[0] * n + edges[1] % n, weights).view(*mask.shape, n, -1)
            aggregate = partial(_aggregate, grid.to(momenta.dtype))

        gathered = aggregate(features)
        vectors = {VECTOR: momenta}
        local = self.with_momentum(features, vectors)
        incoming = self.with_momentum(gathered, vectors)
        local_gathered = aggregate(local)
        messages = {r: incoming[r] - local_gathered[r] for r in incoming}
        squares = self.square(features, features)

        pieces: dict[Irrep, list[torch.Tensor]] = {r: [] for r in self.out_irreps}
        for source in (features, squares, messages):
            for r, x in source.items():
                if r in pieces:
                    pieces[r].append(x)
        out = self.linear({r: torch.cat(xs, dim=2) for r, xs in pieces.items()})
        if self.mlp is not None:
            out[SCALAR] = self.mlp(out[SCALAR])
        return apply_mask(out, mask)

    def _grid_weights(self, weights: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """Pair weights (B, N, N, C) zeroed for padded pairs, divided by the count for "mean"."""
        if mask is not None:
            pair_mask = (mask[:, :, None] & mask[:, None, :]).to(weights.dtype)
            count = mask.sum(dim=1).clamp(min=1).to(weights.dtype)
        else:
            pair_mask = torch.ones_like(weights[..., 0])
            count = torch.full(weights.shape[:1], weights.shape[1], dtype=weights.dtype, device=weights.device)
        if self.aggregation == "mean":
            pair_mask = pair_mask / count[:, None, None]
        return weights * pair_mask[..., None]


def _aggregate(weights: torch.Tensor, features: IrrepFeatures) -> IrrepFeatures:
    """``sum_j weights[b, i, j, c] x[b, j, t * C + c, :]`` for every irrep, in one batched matmul.

    Activations with m * C channels (``ChannelwiseCGProduct`` stacks m blocks of C channels, so
    channel c of block t sits at index ``t * C + c``) use the weights of channel c.
    """
    b, n = next(iter(features.values())).shape[:2]
    channels = weights.shape[-1]
    irreps = list(features)
    # block counts m spelled out: a -1 is ambiguous for an empty batch
    blocks = [features[r].unflatten(2, (features[r].shape[2] // channels, channels)) for r in irreps]
    widths = [x.shape[2] * x.shape[4] for x in blocks]
    # (B, N, C, sum of m * d) with channel c in its own axis.
    stacked = torch.cat([x.transpose(2, 3).flatten(3) for x in blocks], dim=3)
    summed = weights.permute(0, 3, 1, 2) @ stacked.transpose(1, 2)  # (B, C, N, sum m * d)
    summed = summed.transpose(1, 2)
    out = {}
    for r, x, part in zip(irreps, blocks, summed.split(widths, dim=3)):
        m, d = x.shape[2], x.shape[4]
        out[r] = part.reshape(b, n, channels, m, d).transpose(2, 3).reshape(b, n, m * channels, d)
    return out
