"""The explicit basis of the 15 permutation-equivariant linear maps from pairs to pairs.

This materialises every map as a (B, N, N, C, 15) tensor. It is the readable definition that
:class:`~lorentznets.layers.pelican.Equivariant2to2` implements without materialising, and the
reference the tests check it against. Self-pairs (i = i) are real entries: maps 2-5, 8, 11 and
13 live on or read from the diagonal and vanish if the diagonal is dropped.
"""

from __future__ import annotations

import torch

from .aggregates import pair_statistics, particle_counts

MAP_NAMES_2TO2 = (
    "identity x_ij",
    "transpose x_ji",
    "diagonal on diagonal d_i delta_ij",
    "diagonal at i d_i",
    "diagonal at j d_j",
    "row mean on diagonal r_i delta_ij",
    "row mean at i r_i",
    "row mean at j r_j",
    "column mean on diagonal c_i delta_ij",
    "column mean at i c_i",
    "column mean at j c_j",
    "trace mean on diagonal t delta_ij",
    "trace mean everywhere t",
    "total mean on diagonal s delta_ij",
    "total mean everywhere s",
)


def pair_basis_2to2(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """All 15 equivariant maps applied to masked pair features.

    Parameters
    ----------
    x : torch.Tensor with shape (B, N, N, C)
    mask : torch.Tensor with shape (B, N), bool
        True for real particles.

    Returns
    -------
    torch.Tensor with shape (B, N, N, C, 15)
        Map k (ordered as :data:`MAP_NAMES_2TO2`), zero on padded pairs.
    """
    pair_mask = (mask[:, :, None] & mask[:, None, :])[..., None]
    x = x * pair_mask
    stats = pair_statistics(x, particle_counts(mask, x.dtype))
    n = x.shape[1]
    eye = torch.eye(n, dtype=x.dtype, device=x.device)[None, :, :, None]

    def at_i(v: torch.Tensor) -> torch.Tensor:
        return v[:, :, None, :].expand_as(x)

    def at_j(v: torch.Tensor) -> torch.Tensor:
        return v[:, None, :, :].expand_as(x)

    def everywhere(s: torch.Tensor) -> torch.Tensor:
        return s[:, None, None, :].expand_as(x)

    maps = [x, x.transpose(1, 2)]
    for v in (stats.diagonal, stats.row_mean, stats.column_mean):
        maps += [eye * at_i(v), at_i(v), at_j(v)]
    for s in (stats.trace_mean, stats.total_mean):
        maps += [eye * everywhere(s), everywhere(s)]
    return torch.stack(maps, dim=-1) * pair_mask[..., None]
