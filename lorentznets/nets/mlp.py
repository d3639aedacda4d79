"""Plain multilayer perceptron, the simplest baseline and a building block of wrappers."""

from __future__ import annotations

import torch
from torch import nn

from ..layers.arguments import check_at_least, check_choice, check_probability
from .input_layout import check_float_input

_ACTIVATIONS = {"gelu": nn.GELU, "relu": nn.ReLU, "silu": nn.SiLU, "tanh": nn.Tanh}


class MLP(nn.Module):
    """Fully connected network acting on the last dimension.

    Parameters
    ----------
    in_channels : int
        Input features.
    out_channels : int
        Output features.
    hidden_channels : int
        Width of every hidden layer.
    num_layers : int
        Number of hidden layers (0 gives a single linear map).
    activation : str
        One of ``"gelu"``, ``"relu"``, ``"silu"``, ``"tanh"``.
    dropout : float
        Dropout probability after each hidden activation.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for a width < 1, ``num_layers`` < 0
        or an unknown activation.

    Examples
    --------
    >>> net = MLP(in_channels=4, out_channels=1, hidden_channels=32, num_layers=2)
    >>> net(torch.randn(8, 4)).shape
    torch.Size([8, 1])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        hidden_channels: int,
        num_layers: int,
        activation: str = "gelu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        check_choice("activation", activation, sorted(_ACTIVATIONS))
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            check_at_least(name, value, 1)
        check_at_least("hidden_channels", hidden_channels, 1)
        check_at_least("num_layers", num_layers, 0)
        check_probability("dropout", dropout)
        layers: list[nn.Module] = []
        width = in_channels
        for _ in range(num_layers):
            layers += [nn.Linear(width, hidden_channels), _ACTIVATIONS[activation]()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            width = hidden_channels
        layers.append(nn.Linear(width, out_channels))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the network.

        Parameters
        ----------
        x : torch.Tensor with shape (..., in_channels)

        Returns
        -------
        torch.Tensor with shape (..., out_channels), in the weights' dtype also under autocast.

        Raises
        ------
        ValueError
            An ``x`` with another channel count than ``in_channels``.
        TypeError
            An ``x`` of another float precision than the parameters' (lower ones run in float32).
        """
        first = self.net[0]
        if x.dim() == 0 or x.shape[-1] != first.in_features:
            raise ValueError(f"MLP: x must have shape (..., {first.in_features}), got {tuple(x.shape)}")
        check_float_input("MLP", "x", x, first.weight.dtype)
        x = x.to(first.weight.dtype)
        hidden = self.net[:-1](x)
        last = self.net[-1]
        with torch.autocast(hidden.device.type, enabled=False):
            return last(hidden.to(last.weight.dtype))
