"""Learnable invariant edge weights ``f_c(p_ij^2)`` for LGN message passing."""

from __future__ import annotations

import torch
from torch import nn

from ..arguments import check_at_least


class PairWeights(nn.Module):
    """``f_c(q) = sum_b w_cb / (1 + ((q - mu_b) / gamma_b)^2)`` of the pair invariant ``q = p_ij^2``.

    A sum of Lorentzians with learnable centres ``mu_b``, widths ``gamma_b > 0`` and per-channel
    amplitudes: smooth, bounded for any ``q`` (so boosts that amplify rounding in ``q`` cannot blow
    it up) and able to single out mass windows such as the W and top masses. Real-valued.

    Parameters
    ----------
    channels : int
        Number of output channels C.
    num_basis : int
        Number of Lorentzians.
    q_range : (float, float)
        Initial spread of the centres, in the (scaled) units of ``q``.
    """

    def __init__(self, channels: int, num_basis: int = 10, q_range: tuple[float, float] = (0.0, 1.0)):
        super().__init__()
        check_at_least("channels", channels, 1)
        check_at_least("num_basis", num_basis, 1)
        low, high = q_range
        self.centres = nn.Parameter(torch.linspace(low, high, num_basis))
        spacing = (high - low) / max(num_basis - 1, 1)
        self.log_widths = nn.Parameter(torch.full((num_basis,), float(spacing if spacing > 0 else 1.0)).log())
        self.amplitudes = nn.Parameter(torch.randn(num_basis, channels) / num_basis**0.5)

    def forward(self, q: torch.Tensor) -> torch.Tensor:
        """Evaluate the weights.

        Parameters
        ----------
        q : torch.Tensor with shape (...), real
            Pair invariants ``(p_i - p_j)^2`` (scaled momenta squared).

        Returns
        -------
        torch.Tensor with shape (..., C), dtype of ``q``
        """
        centres = self.centres.to(q.dtype)
        widths = self.log_widths.to(q.dtype).exp()
        basis = 1.0 / (1.0 + ((q[..., None] - centres) / widths) ** 2)
        return basis @ self.amplitudes.to(q.dtype)
