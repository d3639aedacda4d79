"""L-GATr velocity network with time and beam reference vectors.

Kept apart from ``wrappers.py`` so that the registry still offers the other models when the
L-GATr net cannot be imported.
"""

from typing import Any

import torch
from torch import nn

from experiments.common.net_config import build_net
from experiments.eventgen.features import ROTATION_INVARIANT, invariant_token_scalars
from experiments.registry import register_wrapper
from lorentznets.algebra import GRADE_SLICES, NUM_COMPONENTS
from lorentznets.flows import GaussianFourierTimeEmbedding, JetCoordinates
from lorentznets.nets.lgatr import LGATr

__all__ = ["LGATrVelocity"]


def _embed_vectors(p: torch.Tensor) -> torch.Tensor:
    """4-vectors (..., 4) -> multivectors (..., 16) with only the grade-1 part set."""
    mv = p.new_zeros(*p.shape[:-1], NUM_COMPONENTS)
    mv[..., GRADE_SLICES[1]] = p
    return mv


@register_wrapper("eventgen", "gatr")
class LGATrVelocity(nn.Module):
    """Velocity field from L-GATr acting on the jets as tokens.

    Each jet token carries three multivector channels: the jet 4-momentum (in units of the
    fitted ``momentum_scale``) and two reference vectors, the time direction (1, 0, 0, 0) and the
    beam axis (0, 0, 0, 1). The references break the Lorentz group down to the rotations about
    the beam, the symmetry of the detector-level data. The scalar channels hold the rotation-
    invariant flow coordinates (log pt, eta, log m^2), a one-hot jet position and the time
    embedding.

    All four flow-coordinate velocities (including the one of phi) are invariant under rotations
    about the beam, so they are read from four scalar output channels; the single multivector
    output channel that the net requires is not used. Rotating every jet about the beam hence
    leaves the velocity exactly unchanged (tested).

    Parameters
    ----------
    net : dict
        Keyword arguments of :class:`lorentznets.nets.lgatr.LGATr` except the channel counts of
        inputs and outputs (``num_blocks``, ``hidden_mv_channels``, ``hidden_s_channels``,
        ``attention``, ``mlp``, ...).
    coordinates : JetCoordinates
        Fitted flow coordinates; turns the current point into 4-momenta.
    time_channels : int
        Width of the Fourier time embedding.
    """

    def __init__(self, net: dict[str, Any], coordinates: JetCoordinates, time_channels: int):
        super().__init__()
        self.coordinates = coordinates
        self.n_jets = coordinates.n_jets
        self.time_embedding = GaussianFourierTimeEmbedding(time_channels)
        self.net = build_net(
            LGATr,
            net,
            in_mv_channels=3,
            out_mv_channels=1,
            in_s_channels=len(ROTATION_INVARIANT) + self.n_jets + time_channels,
            out_s_channels=4,
        )
        self.register_buffer("positions", torch.eye(self.n_jets))
        self.register_buffer("references", torch.eye(4)[[0, 3]])

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Velocity (B, n_jets, 4) at times t (B,) and points x (B, n_jets, 4)."""
        batch = x.shape[0]
        p = self.coordinates.x_to_fourmomenta(x) / self.coordinates.momentum_scale.to(x.dtype)
        references = self.references.to(x.dtype).expand(batch, self.n_jets, 2, 4)
        vectors = torch.cat([p.unsqueeze(-2), references], dim=-2)
        scalars = invariant_token_scalars(x, self.positions, self.time_embedding(t))
        _, out_s = self.net(_embed_vectors(vectors), scalars)
        return out_s
