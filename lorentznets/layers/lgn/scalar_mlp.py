"""Perceptron acting on the Lorentz-invariant ``(0, 0)`` channels of LGN activations."""

from __future__ import annotations

import torch
from torch import nn

from ..arguments import check_at_least, check_choice


class ScalarMLP(nn.Module):
    """MLP on the real and imaginary parts of the complex ``(0, 0)`` channels.

    Any function of invariants is invariant, so this is the only place where LGN applies a
    nonlinearity other than the Clebsch-Gordan product.

    Parameters
    ----------
    channels : int
        Number C of complex ``(0, 0)`` channels in and out.
    depth : int
        Number of hidden layers (the original LGN uses 3).
    width_factor : int
        Hidden width in units of the number of real inputs ``2 C`` (the original uses 2).
    activation : str
        "leaky_relu" (as the original), "relu", "silu" or "elu".
    """

    ACTIVATIONS = {"leaky_relu": nn.LeakyReLU, "relu": nn.ReLU, "silu": nn.SiLU, "elu": nn.ELU}

    def __init__(self, channels: int, depth: int = 3, width_factor: int = 2, activation: str = "leaky_relu") -> None:
        super().__init__()
        check_choice("activation", activation, sorted(self.ACTIVATIONS))
        for name, value in (("channels", channels), ("depth", depth), ("width_factor", width_factor)):
            check_at_least(name, value, 1)
        width = 2 * channels * width_factor
        layers: list[nn.Module] = []
        fan_in = 2 * channels
        for _ in range(depth):
            layers += [nn.Linear(fan_in, width), self.ACTIVATIONS[activation]()]
            fan_in = width
        layers.append(nn.Linear(fan_in, 2 * channels))
        self.net = nn.Sequential(*layers)

    def forward(self, scalars: torch.Tensor) -> torch.Tensor:
        """Apply the MLP.

        Parameters
        ----------
        scalars : torch.Tensor with shape (B, N, C, 1), complex

        Returns
        -------
        torch.Tensor with shape (B, N, C, 1), complex (same dtype)
        """
        real = torch.cat([scalars.real, scalars.imag], dim=2).squeeze(-1)
        re, im = _run(self.net, real).chunk(2, dim=-1)
        return torch.complex(re, im)[..., None]


def _run(net: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    # Parameters are cast to the activations' dtype so a float32 module can run in float64.
    for layer in net:
        if isinstance(layer, nn.Linear):
            x = nn.functional.linear(x, layer.weight.to(x.dtype), layer.bias.to(x.dtype))
        else:
            x = layer(x)
    return x
