"""LorentzNet's compression of Minkowski norms and products."""

from __future__ import annotations

import torch


def signed_log(x: torch.Tensor) -> torch.Tensor:
    """psi(x) = sign(x) log(|x| + 1), odd, monotonic and logarithmic for large |x|.

    Parameters
    ----------
    x : torch.Tensor with any shape

    Returns
    -------
    torch.Tensor with the shape of ``x``
    """
    return torch.sign(x) * torch.log1p(x.abs())
