"""Velocity networks for the flow: wrappers embedding (t, x) for the generic nets.

Every wrapper is called as ``Wrapper(net=<cfg.model.net>, coordinates=..., time_channels=...)``
and maps ``(t (B,), x (B, n_jets, 4)) -> v (B, n_jets, 4)``, the velocity in flow coordinates.
``WRAPPERS`` is the live registry of this family (L-GATr and the LLoCa-Transformer register from
``wrappers_gatr.py`` and ``wrappers_lloca.py``).
"""

from typing import Any

import torch
from torch import nn

from experiments.common.net_config import build_net
from experiments.registry import register_wrapper, wrapper_registry
from lorentznets.flows import GaussianFourierTimeEmbedding, JetCoordinates
from lorentznets.nets.mlp import MLP
from lorentznets.nets.transformer import Transformer

from .features import JET_FEATURES, jet_features

__all__ = ["MLPVelocity", "TransformerVelocity", "WRAPPERS"]

WRAPPERS = wrapper_registry("eventgen")


@register_wrapper("eventgen", "mlp")
class MLPVelocity(nn.Module):
    """MLP on the flattened event: all jets' features and the time embedding in one vector.

    Parameters
    ----------
    net : dict
        Keyword arguments of :class:`lorentznets.nets.mlp.MLP` except the channel counts.
    coordinates : JetCoordinates
        Fitted flow coordinates (fixes the number of jets).
    time_channels : int
        Width of the Fourier time embedding.
    """

    def __init__(self, net: dict[str, Any], coordinates: JetCoordinates, time_channels: int):
        super().__init__()
        self.n_jets = coordinates.n_jets
        self.time_embedding = GaussianFourierTimeEmbedding(time_channels)
        self.net = build_net(
            MLP, net, in_channels=self.n_jets * JET_FEATURES + time_channels, out_channels=self.n_jets * 4
        )

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Velocity (B, n_jets, 4) at times t (B,) and points x (B, n_jets, 4)."""
        inputs = torch.cat([jet_features(x).flatten(1), self.time_embedding(t)], dim=-1)
        return self.net(inputs).reshape(x.shape)


@register_wrapper("eventgen", "transformer")
class TransformerVelocity(nn.Module):
    """Transformer over jets; each token holds the jet's features, a one-hot jet position
    (the file order b1, q1, q2, b2, q3, q4, j1.. carries the decay structure) and the time.

    Parameters
    ----------
    net : dict
        Keyword arguments of :class:`lorentznets.nets.transformer.Transformer` except the
        channel counts.
    coordinates : JetCoordinates
    time_channels : int
    """

    def __init__(self, net: dict[str, Any], coordinates: JetCoordinates, time_channels: int):
        super().__init__()
        self.n_jets = coordinates.n_jets
        self.time_embedding = GaussianFourierTimeEmbedding(time_channels)
        self.net = build_net(Transformer, net, in_channels=JET_FEATURES + self.n_jets + time_channels, out_channels=4)
        self.register_buffer("positions", torch.eye(self.n_jets))

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Velocity (B, n_jets, 4) at times t (B,) and points x (B, n_jets, 4)."""
        batch = x.shape[0]
        time = self.time_embedding(t)[:, None, :].expand(batch, self.n_jets, -1)
        positions = self.positions.to(x.dtype).expand(batch, -1, -1)
        tokens = torch.cat([jet_features(x), positions, time], dim=-1)
        return self.net(tokens)
