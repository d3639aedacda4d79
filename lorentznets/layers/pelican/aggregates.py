"""Masked means over pair (rank-2) and particle (rank-1) features, and the multiplicity rescaling.

PELICAN aggregates by means over the real particles of each jet, multiplied by
``(N / N_avg) ** alpha`` with a learnable exponent ``alpha`` per channel and aggregation map
(arXiv 2307.16506): ``alpha = 0`` is a plain mean, ``alpha = 1`` a sum normalised by the typical
multiplicity ``N_avg``. Every function here expects features that are already zero on padded
particles and pairs, so that plain sums are masked sums.
"""

from __future__ import annotations

from typing import NamedTuple

import torch


class PairStatistics(NamedTuple):
    """Permutation-covariant summaries of a pair feature x_ij with zero padding.

    Attributes
    ----------
    diagonal : torch.Tensor with shape (B, N, C)
        x_ii.
    row_mean : torch.Tensor with shape (B, N, C)
        (1/n) sum_k x_ik.
    column_mean : torch.Tensor with shape (B, N, C)
        (1/n) sum_k x_ki.
    trace_mean : torch.Tensor with shape (B, C)
        (1/n) sum_k x_kk.
    total_mean : torch.Tensor with shape (B, C)
        (1/n^2) sum_kl x_kl.
    """

    diagonal: torch.Tensor
    row_mean: torch.Tensor
    column_mean: torch.Tensor
    trace_mean: torch.Tensor
    total_mean: torch.Tensor


def particle_counts(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Number of real particles per set, at least one so that empty sets do not divide by zero.

    Parameters
    ----------
    mask : torch.Tensor with shape (B, N), bool
    dtype : torch.dtype

    Returns
    -------
    torch.Tensor with shape (B,)
    """
    return mask.sum(dim=-1).clamp(min=1).to(dtype)


def pair_statistics(x: torch.Tensor, counts: torch.Tensor) -> PairStatistics:
    """Diagonal, row, column, trace and total means of zero-padded pair features.

    Parameters
    ----------
    x : torch.Tensor with shape (B, N, N, C)
        Pair features, zero wherever i or j is a padded particle.
    counts : torch.Tensor with shape (B,)
        Real particles per set (see :func:`particle_counts`).

    Returns
    -------
    PairStatistics
    """
    n = counts.view(-1, 1, 1)
    diagonal = x.diagonal(dim1=1, dim2=2).transpose(1, 2)
    row_sum = x.sum(dim=2)
    row_mean = row_sum / n
    column_mean = x.sum(dim=1) / n
    trace_mean = diagonal.sum(dim=1) / counts.view(-1, 1)
    total_mean = row_sum.sum(dim=1) / counts.view(-1, 1).square()
    return PairStatistics(diagonal, row_mean, column_mean, trace_mean, total_mean)


def multiplicity_scale(counts: torch.Tensor, exponents: torch.Tensor, average_particles: float) -> torch.Tensor:
    """The factor (n / N_avg) ** alpha for every set and every exponent.

    Parameters
    ----------
    counts : torch.Tensor with shape (B,)
    exponents : torch.Tensor with shape (*S)
        Learnable alpha, one per aggregation map and channel.
    average_particles : float
        N_avg, the typical multiplicity of the data set (49 for top tagging).

    Returns
    -------
    torch.Tensor with shape (B, *S)
    """
    log_ratio = torch.log(counts / average_particles).view(-1, *([1] * exponents.dim()))
    return torch.exp(log_ratio * exponents)
