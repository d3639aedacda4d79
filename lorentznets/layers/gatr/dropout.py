"""Grade-wise dropout for multivectors."""

from __future__ import annotations

import torch
from torch import nn

from .layout import pair_grades


class GradeDropout(nn.Module):
    """Drop whole grades of multivector channels (and scalar channels) with probability ``p``.

    Dropping a grade as a unit keeps equivariance; survivors are scaled by 1 / (1 - p).

    Parameters
    ----------
    p : float
        Dropout probability in [0, 1).
    """

    def __init__(self, p: float) -> None:
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p = p

    def forward(
        self, multivectors: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Apply dropout in training mode; identity in eval mode.

        Parameters
        ----------
        multivectors : torch.Tensor with shape (8, ..., 2 C)
        scalars : torch.Tensor with shape (..., S) or None
        """
        if not self.training or self.p == 0.0:
            return multivectors, scalars
        channels = multivectors.shape[-1] // 2
        keep = torch.full((5, *multivectors.shape[1:-1], channels), 1 - self.p, device=multivectors.device)
        keep = torch.bernoulli(keep).to(multivectors.dtype) / (1 - self.p)
        mask = keep[pair_grades(keep.device).flatten()].unflatten(0, (8, 2))  # (8, 2, ..., C)
        mask = mask.movedim(1, -2).flatten(-2)
        out_s = None if scalars is None else nn.functional.dropout(scalars, self.p, True)
        return multivectors * mask, out_s
