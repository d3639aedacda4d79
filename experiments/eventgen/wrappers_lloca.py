"""LLoCa-Transformer velocity network (model name ``lloca_transformer``).

Kept apart from ``wrappers.py`` like L-GATr's, so that the registry still offers the other models
when the LLoCa nets cannot be imported.
"""

from typing import Any

import torch
from torch import nn

from experiments.common.net_config import build_net
from experiments.eventgen.features import ROTATION_INVARIANT, invariant_token_scalars
from experiments.registry import register_wrapper
from lorentznets.flows import GaussianFourierTimeEmbedding, JetCoordinates
from lorentznets.frames import NUM_LOCAL_FEATURES, LearnedFrames, local_jet_features
from lorentznets.nets.lloca_transformer import LLoCaTransformer

__all__ = ["LLoCaTransformerVelocity"]

REFERENCES = ("beam", "time")
"""Reference vectors the Frames-Net of the velocity always sees (added to those configured): the
frames are equivariant under rotations about the beam only, the symmetry of detector-level events."""


@register_wrapper("eventgen", "lloca_transformer")
class LLoCaTransformerVelocity(nn.Module):
    """Velocity field from the LLoCa-Transformer acting on the jets as tokens.

    Each jet gets a learned frame from the jet momenta (in units of the fitted ``momentum_scale``),
    the beam and time references (:data:`REFERENCES`) and the jet's scalars; its token holds the
    jet and the event's total momentum seen from that frame
    (:func:`lorentznets.frames.local_jet_features`) and the scalars: the rotation-invariant flow
    coordinates (log pt, eta, log m^2), a one-hot jet position and the time embedding. The four
    outputs per jet are the velocities of the flow coordinates, all four (phi's included)
    invariant under rotations about the beam; so is the whole velocity field (tested).

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lloca_transformer.LLoCaTransformer` arguments without the channel
        counts (``attn_reps``, ``num_heads``, ``num_blocks``, ...); with ``preserve_variance`` the
        reference momentum is the event's total momentum.
    coordinates : JetCoordinates
        Fitted flow coordinates; turns the current point into 4-momenta.
    time_channels : int
        Width of the Fourier time embedding.
    frames : dict, optional
        ``model.wrapper.frames``: ``kind`` (``learned`` only) and the
        :class:`lorentznets.frames.LearnedFrames` arguments; :data:`REFERENCES` are added to
        ``vector_net.references``. Default: LearnedFrames' defaults.
    """

    def __init__(
        self,
        net: dict[str, Any],
        coordinates: JetCoordinates,
        time_channels: int,
        frames: dict[str, Any] | None = None,
    ):
        super().__init__()
        self.coordinates = coordinates
        self.n_jets = coordinates.n_jets
        self.time_embedding = GaussianFourierTimeEmbedding(time_channels)
        num_scalars = len(ROTATION_INVARIANT) + self.n_jets + time_channels
        options = dict(frames or {})
        if options.pop("kind", "learned") != "learned":
            raise ValueError("the event-generation LLoCa-Transformer takes learned frames only")
        vector_net = dict(options.pop("vector_net", {}))
        references = tuple(dict.fromkeys((*vector_net.pop("references", ()), *REFERENCES)))
        vector_net.update(references=references, num_scalars=num_scalars)
        self.frames = LearnedFrames(vector_net=vector_net, **options)
        self.net = build_net(LLoCaTransformer, net, NUM_LOCAL_FEATURES + num_scalars, 4)
        self.register_buffer("positions", torch.eye(self.n_jets))

    def forward(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Velocity (B, n_jets, 4) at times t (B,) and points x (B, n_jets, 4)."""
        batch = x.shape[0]
        p = self.coordinates.x_to_fourmomenta(x) / self.coordinates.momentum_scale.to(x.dtype)
        mask = torch.ones(batch, self.n_jets, dtype=torch.bool, device=x.device)
        scalars = invariant_token_scalars(x, self.positions, self.time_embedding(t))
        frames = self.frames(p, mask, scalars)
        features = torch.cat([local_jet_features(p, frames, mask, 1.0), scalars], dim=-1)
        # every event has all its jets: no attention mask, which would keep SDPA off its fused kernels
        return self.net(features, frames, None, p.sum(dim=1))
