"""Scalar-gated nonlinearity for multivectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch
from torch import nn

from ..arguments import check_choice

_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "relu": nn.functional.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": partial(nn.functional.gelu, approximate="tanh"),
    "silu": nn.functional.silu,
}
NONLINEARITIES = tuple(sorted(_ACTIVATIONS))


class ScalarGatedNonlinearity(nn.Module):
    """``x -> f(<x>_0) x`` on each multivector channel and ``s -> f(s)`` on scalars.

    Gating by the invariant scalar component keeps equivariance for any activation ``f``.

    Parameters
    ----------
    nonlinearity : str
        relu, sigmoid, tanh, gelu (tanh approximation) or silu.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for another ``nonlinearity``.
    """

    def __init__(self, nonlinearity: str = "gelu") -> None:
        super().__init__()
        check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
        self.fn = _ACTIVATIONS[nonlinearity]

    def forward(
        self, multivectors: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Apply the gate.

        Parameters
        ----------
        multivectors : torch.Tensor with shape (8, ..., 2 C)
        scalars : torch.Tensor with shape (..., S) or None

        Returns
        -------
        multivectors : torch.Tensor with shape (8, ..., 2 C)
        scalars : torch.Tensor with shape (..., S) or None
        """
        channels = multivectors.shape[-1] // 2
        gates = self.fn(multivectors[0, ..., :channels])  # scalar component, (..., C)
        out_mv = (multivectors.unflatten(-1, (2, channels)) * gates.unsqueeze(-2)).flatten(-2)
        return out_mv, None if scalars is None else self.fn(scalars)
