"""LLoCa tagging wrappers (model names ``lloca_transformer``, ``lloca_part`` and ``lloca_particlenet``).

Each constituent gets a learned local frame from the momenta (and the scalars); the backbone sees
the constituent and the jet in that frame (:func:`lorentznets.frames.local_jet_features`), so the
logits are Lorentz invariant, or invariant under the subgroup that fixes the reference vectors
given in ``frames.vector_net.references`` (``[beam, time]`` breaks to rotations about the beam).
``frames.kind: identity`` or ``random`` (global augmentation) gives the non-equivariant variants.
Learned frames without references see each jet from the rest frame of its constituents' sum
(:mod:`lorentznets.frames.rest_frame`): the same logits in exact arithmetic, and float32 keeps
them at any jet rapidity.
"""

from __future__ import annotations

import torch
from torch import nn

from experiments.common.frames_schema import FRAME_KINDS
from experiments.common.host_inputs import packing
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from experiments.tagging.features import NUM_KINEMATIC_FEATURES, constituent_inputs, eta_phi
from experiments.tagging.wrappers import TaggingWrapper
from lorentznets.frames import (
    NUM_LOCAL_FEATURES,
    LearnedFrames,
    RandomGlobalFrames,
    boost_events,
    identity_frames,
    local_jet_features,
    to_local,
    total_rest_boost,
)
from lorentznets.layers.lorentznet import real_pairs as ordered_real_pairs
from lorentznets.layers.part import real_pairs, real_particles
from lorentznets.nets.lloca_part import LLoCaParticleTransformer
from lorentznets.nets.lloca_particlenet import LLoCaParticleNet
from lorentznets.nets.lloca_transformer import LLoCaTransformer
from lorentznets.nets.pooling import masked_mean


class LLoCaTaggingWrapper(TaggingWrapper):
    """Frames and local features shared by the LLoCa taggers.

    Parameters
    ----------
    num_scalars : int
        Per-particle scalars, passed to the vector net of learned frames and to the backbone.
    frames : dict
        ``kind`` (one of ``FRAME_KINDS``) and, for learned frames, ``method`` and ``vector_net``
        (:class:`lorentznets.frames.LearnedFrames`), for random ones the
        :class:`lorentznets.frames.RandomGlobalFrames` arguments.
    """

    def __init__(self, num_scalars: int, frames: dict | None = None) -> None:
        super().__init__()
        options = dict(frames or {"kind": "learned"})
        self.kind = options.pop("kind", "learned")
        if self.kind not in FRAME_KINDS:
            raise ValueError(f"unknown frames kind {self.kind!r}; choose from {FRAME_KINDS}")
        self.frames: nn.Module | None = None
        if self.kind == "learned":
            vector_net = {**options.pop("vector_net", {}), "num_scalars": num_scalars}
            self.frames = LearnedFrames(vector_net=vector_net, **options)
        elif self.kind == "random":
            self.frames = RandomGlobalFrames(**options)
        # only a Lorentz-invariant model may see the jet from another frame than the lab's
        self.in_rest_frame = self.kind == "learned" and not len(self.frames.vector_net.references)

    def model_frame(self, momenta: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The constituents (B, N, 4) GeV, zero where padded, as the model sees them: from each jet's
        rest frame for a Lorentz-invariant model, with that boost (B, 4, 4) (float64,
        :func:`total_rest_boost`); else as given, and None (references, identity or random frames)."""
        momenta = momenta * mask[..., None]
        if not self.in_rest_frame:
            return momenta, None
        boost = total_rest_boost(momenta, mask)
        return boost_events(boost, momenta), boost

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """``frame_pairs`` for learned frames: the ordered real pairs of ``mask``, built with the
        batch, so that the Frames-Net skips the padded ones."""
        return {"frame_pairs": ordered_real_pairs(mask)} if self.kind == "learned" else {}

    def local_frames(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None,
        frame_pairs: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Frames (B, N, 4, 4) of the constituents ``momenta`` (B, N, 4) GeV (zero where padded);
        ``frame_pairs``: optional ``host_inputs``."""
        if self.kind == "learned":
            return self.frames(momenta / self.momentum_scale, mask, scalars, frame_pairs)
        if self.kind == "random":
            return self.frames(momenta)
        return identity_frames(momenta)

    def local_inputs(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None,
        frame_pairs: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Frames (B, N, 4, 4), local features (B, N, 8 + S) and the jet momentum (B, 4) in GeV of
        the constituents ``momenta`` (B, N, 4) GeV, zero where padded (as :meth:`model_frame` returns them)."""
        frames = self.local_frames(momenta, mask, scalars, frame_pairs)
        features = local_jet_features(momenta, frames, mask, self.momentum_scale)
        if scalars is not None:
            features = torch.cat((features, scalars), dim=-1)
        return frames, features, momenta.sum(dim=1)


@register_wrapper("tagging", "lloca_transformer")
class LLoCaTransformerTaggingWrapper(LLoCaTaggingWrapper):
    """LLoCa-Transformer on local features, mean-pooled over the constituents.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lloca_transformer.LLoCaTransformer` arguments without channel counts.
    out_channels, num_scalars : int
    frames : dict, optional
        See :class:`LLoCaTaggingWrapper`.
    """

    head_prefixes = ("net.linear_out.",)

    def __init__(self, net: dict, out_channels: int, num_scalars: int, frames: dict | None = None) -> None:
        super().__init__(num_scalars, frames)
        self.net = build_net(LLoCaTransformer, net, NUM_LOCAL_FEATURES + num_scalars, out_channels)

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """The frame pairs and the packing of ``mask`` (:func:`experiments.common.host_inputs.packing`):
        the backbone then runs on the real constituents only."""
        return {**super().host_inputs(mask), **packing(mask)}

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        frame_pairs: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
        offsets: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N); the
        optional :meth:`host_inputs` of ``mask`` give the same logits with less work."""
        momenta, _ = self.model_frame(momenta, mask)
        frames, features, jet = self.local_inputs(momenta, mask, scalars, frame_pairs)
        return masked_mean(self.net(features, frames, mask, jet, pack_index, offsets), mask)


@register_wrapper("tagging", "lloca_part")
class LLoCaParTTaggingWrapper(LLoCaTaggingWrapper):
    """LLoCa-ParT on local features, with the invariant pair feature ln m^2 by default.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lloca_part.LLoCaParticleTransformer` arguments without channel counts.
    out_channels, num_scalars : int
    frames : dict, optional
        See :class:`LLoCaTaggingWrapper`.
    """

    head_prefixes = ("net.backbone.head.",)

    def __init__(self, net: dict, out_channels: int, num_scalars: int, frames: dict | None = None) -> None:
        super().__init__(num_scalars, frames)
        self.net = build_net(LLoCaParticleTransformer, net, NUM_LOCAL_FEATURES + num_scalars, out_channels)
        pair_embedding = self.net.backbone.pair_embedding
        # ln_kt, ln_z and ln_delta are not Lorentz invariant: the jets stay in the lab frame
        self.in_rest_frame &= pair_embedding is None or set(pair_embedding.features) <= {"ln_m2"}

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """The frame pairs, ``pairs`` (the unordered real pairs of ``mask``) and ``pack_index`` (its
        real particles), built with the batch, so that the pair embedding and the backbone's
        token-wise layers skip the padded ones."""
        return {**super().host_inputs(mask), "pairs": real_pairs(mask), "pack_index": real_particles(mask)}

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        pairs: torch.Tensor | None = None,
        frame_pairs: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N); ``pairs``
        (3, P), ``frame_pairs`` (2, E) and ``pack_index`` (T,): optional :meth:`host_inputs` of
        ``mask`` (the same logits, less work)."""
        momenta, _ = self.model_frame(momenta, mask)
        frames, features, jet = self.local_inputs(momenta, mask, scalars, frame_pairs)
        return self.net(features, momenta, frames, mask, jet, pairs, pack_index)


@register_wrapper("tagging", "lloca_particlenet")
class LLoCaParticleNetTaggingWrapper(LLoCaTaggingWrapper):
    """LLoCa-ParticleNet on the seven ParT constituent features of each constituent relative to the
    jet, both seen from the constituent's local frame (+ scalars), as in LLoCa; the first neighbour
    search uses the local (delta eta, delta phi). With identity frames this is ParticleNet.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lloca_particlenet.LLoCaParticleNet` arguments without channel counts.
    out_channels, num_scalars : int
    frames : dict, optional
        See :class:`LLoCaTaggingWrapper`.
    """

    head_prefixes = ("net.backbone.head.",)
    uses_constituent_features = True

    def __init__(self, net: dict, out_channels: int, num_scalars: int, frames: dict | None = None) -> None:
        super().__init__(num_scalars, frames)
        self.net = build_net(LLoCaParticleNet, net, NUM_KINEMATIC_FEATURES + num_scalars, out_channels)

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        frame_pairs: torch.Tensor | None = None,
        jets: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N);
        ``frame_pairs``: optional :meth:`host_inputs` of ``mask`` (the same logits, less work);
        ``jets`` (B, 4) GeV: see :meth:`~experiments.tagging.wrappers.TaggingWrapper.feature_jets`."""
        jet = self.feature_jets(jets, momenta)
        momenta, boost = self.model_frame(momenta, mask)
        if boost is not None and jet is not None:
            jet = boost_events(boost, jet)
        frames = self.local_frames(momenta, mask, scalars, frame_pairs)
        jet = (momenta.sum(dim=1, keepdim=True) if jet is None else jet).expand_as(momenta)
        convention = self.feature_convention
        features = constituent_inputs(to_local(frames, momenta), mask, scalars, convention, to_local(frames, jet))
        return self.net(eta_phi(features, convention), features, frames, mask)
