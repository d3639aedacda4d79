"""Lorentz invariants of multivectors in the paired layout (see :mod:`.layout`)."""

from __future__ import annotations

import torch

from .layout import device_constant, pair_grades, paired_metric_signs


@device_constant
def _grade_metric(dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    # (5, 8, 2): row g holds the metric sign of every (pair, slot) of grade g, zeros elsewhere.
    grades = pair_grades(device)
    onehot = (grades.unsqueeze(0) == torch.arange(5, device=device).view(5, 1, 1)).to(dtype)
    return onehot * paired_metric_signs(dtype, device)


def paired_abs_squared_norm(paired: torch.Tensor) -> torch.Tensor:
    """Positive semi-definite squared norm ``sum_k |<x_k, x_k>|`` over the grades k, per channel.

    The Minkowski norm of a multivector is indefinite; summing the absolute values of the
    grade-wise norms gives an invariant that vanishes only when every grade is null. Computed in
    float32 or higher, also under autocast.

    Parameters
    ----------
    paired : torch.Tensor with shape (8, ..., 2 C)

    Returns
    -------
    torch.Tensor with shape (..., C)
    """
    x = paired if paired.dtype in (torch.float32, torch.float64) else paired.float()
    batch = x.shape[1:-1]
    squares = (x * x).reshape(8, -1, 2, x.shape[-1] // 2)
    metric = _grade_metric(x.dtype, x.device)
    with torch.autocast(x.device.type, enabled=False):
        per_grade = torch.einsum("gpa,pnac->gnc", metric, squares)
    return per_grade.abs().sum(0).reshape(*batch, x.shape[-1] // 2)


def paired_inner_product_signs(
    channels: int, dtype: torch.dtype, device: torch.device | str | None = None
) -> torch.Tensor:
    """Signs turning a Euclidean dot product of paired multivectors into the Minkowski one.

    Returns
    -------
    torch.Tensor with shape (8, 2 * channels)
        ``sum(signs * x * y)`` over the pair and last axes equals ``sum_c <x_c, y_c>`` for x, y of
        shape (8, 2 * channels).
    """
    return paired_metric_signs(dtype, device).repeat_interleave(channels, dim=-1)
