"""Channel-wise Clebsch-Gordan product of two sets of LGN activations."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

from ...irreps import Irrep, clebsch_gordan_decomposition, irrep_dim, sort_irreps
from .features import IrrepFeatures


class ChannelwiseCGProduct(nn.Module):
    """``z^(k, n)_c = CG[x_c (x) y_c]^(k, n)`` for every pair of input irreps, channel by channel.

    For each pair of irreps ``(r1, r2)`` of x and y, each channel c of x is multiplied with
    channel c of y and projected onto every irrep ``(k, n)`` of ``r1 (x) r2`` with
    ``k, n <= maxdim``. The products for one output irrep are concatenated along the channel axis
    in a fixed order (sorted pairs). A y with one channel is broadcast against every channel of x.

    Parameters
    ----------
    irreps1, irreps2 : iterable of (int, int)
        Irreps present in x and y.
    maxdim : int
        Truncation: keep output irreps with ``k <= maxdim`` and ``n <= maxdim``.
    keep : iterable of (int, int), optional
        Compute only these output irreps (default: all up to ``maxdim``).
    symmetric : bool
        Set when x and y are the same activations: then only unordered pairs ``r1 <= r2`` are
        formed (``x (x) x`` for ``r2 < r1`` repeats them) and the components of ``r (x) r`` that are
        antisymmetric under the swap, which vanish identically for ``x_c (x) x_c``, are dropped.

    Attributes
    ----------
    out_multiplicities : dict mapping (k, n) to int
        Number of products per output irrep; multiply by the channel count C for the output width.
    """

    def __init__(
        self,
        irreps1: Iterable[Irrep],
        irreps2: Iterable[Irrep],
        maxdim: int,
        symmetric: bool = False,
        keep: Iterable[Irrep] | None = None,
    ) -> None:
        super().__init__()
        self.irreps1 = sort_irreps(irreps1)
        self.irreps2 = sort_irreps(irreps2)
        if symmetric and self.irreps1 != self.irreps2:
            raise ValueError(f"symmetric product needs equal irreps, got {self.irreps1} and {self.irreps2}")
        self.maxdim = int(maxdim)
        self.symmetric = symmetric
        keep = None if keep is None else set(sort_irreps(keep))
        # Each pair contributes one stacked projection (sum of output dims, d1 * d2), split afterwards.
        self._pairs: list[tuple[Irrep, Irrep, list[Irrep]]] = []
        out_multiplicities: dict[Irrep, int] = {}
        for i, r1 in enumerate(self.irreps1):
            for j, r2 in enumerate(self.irreps2):
                if symmetric and j < i:
                    continue
                tables = clebsch_gordan_decomposition(r1, r2, self.maxdim)
                if keep is not None:
                    tables = {r: c for r, c in tables.items() if r in keep}
                if symmetric and r1 == r2:
                    tables = {r: c for r, c in tables.items() if not _antisymmetric(c)}
                if not tables:
                    continue
                outs = list(tables)
                stacked = torch.cat([tables[r].reshape(irrep_dim(r), -1) for r in outs])
                self.register_buffer(_buffer_name(r1, r2), stacked, persistent=False)
                self._pairs.append((r1, r2, outs))
                for r in outs:
                    out_multiplicities[r] = out_multiplicities.get(r, 0) + 1
        self.out_multiplicities = {r: out_multiplicities[r] for r in sort_irreps(out_multiplicities)}

    def forward(self, x: IrrepFeatures, y: IrrepFeatures) -> IrrepFeatures:
        """Channel-wise products.

        Parameters
        ----------
        x : dict of complex tensors with shape (B, N, C, d)
            Must contain every irrep of ``irreps1``.
        y : dict of complex tensors with shape (B, N, C or 1, d)
            Must contain every irrep of ``irreps2``.

        Returns
        -------
        dict mapping (k, n) to complex tensors with shape (B, N, C * out_multiplicities[(k, n)], d)
        """
        pieces: dict[Irrep, list[torch.Tensor]] = {r: [] for r in self.out_multiplicities}
        for r1, r2, outs in self._pairs:
            a, b = _get(x, r1, "x"), _get(y, r2, "y")
            outer = (a[..., :, None] * b[..., None, :]).flatten(-2)
            table = getattr(self, _buffer_name(r1, r2)).to(outer.dtype)
            projected = outer @ table.mT
            for r, z in zip(outs, projected.split([irrep_dim(r) for r in outs], dim=-1)):
                pieces[r].append(z)
        return {r: torch.cat(zs, dim=2) for r, zs in pieces.items()}


def _antisymmetric(table: torch.Tensor) -> bool:
    return torch.allclose(table.transpose(1, 2), -table, atol=1e-14)


def _buffer_name(r1: Irrep, r2: Irrep) -> str:
    return f"cg_{r1[0]}_{r1[1]}__{r2[0]}_{r2[1]}"


def _get(features: IrrepFeatures, irrep: Irrep, name: str) -> torch.Tensor:
    if not isinstance(features, dict):
        raise TypeError(f"{name} must be a dict {{(k, n): tensor}}, got {type(features).__name__}")
    try:
        return features[irrep]
    except KeyError:
        raise KeyError(f"{name} lacks irrep {irrep}; it has {sorted(features)}") from None
