"""LLoCa-Transformer amplitude wrapper (model name ``lloca_transformer``).

Each particle gets a learned local frame from the momenta and the particle-type tokens; the
backbone sees the particle and the event's total momentum in that frame
(:func:`lorentznets.frames.local_jet_features`) plus the tokens, so the prediction is exactly
Lorentz invariant (with the default, reference-free frames). Such a model sees each event from
the rest frame of its total momentum (:mod:`lorentznets.frames.rest_frame`): the same prediction
in exact arithmetic, kept by float32 at any boost.
"""

from __future__ import annotations

import torch

from experiments.amplitudes.wrappers import AmplitudeWrapper
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from lorentznets.frames import NUM_LOCAL_FEATURES, LearnedFrames, local_jet_features, to_total_rest_frame
from lorentznets.nets.lloca_transformer import LLoCaTransformer
from lorentznets.nets.pooling import masked_mean


@register_wrapper("amplitudes", "lloca_transformer")
class LLoCaTransformerAmplitudeWrapper(AmplitudeWrapper):
    """LLoCa-Transformer on local features and tokens, mean-pooled to one number per event.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lloca_transformer.LLoCaTransformer` arguments without channel counts.
    n_max : int
        Particles per (padded) event.
    num_tokens : int
        Length of the per-particle type tokens.
    frames : dict, optional
        ``method`` and ``vector_net`` of :class:`lorentznets.frames.LearnedFrames`; only
        ``kind: learned`` is offered here (the tagging wrappers also offer identity and random frames).
    """

    def __init__(self, net: dict, n_max: int, num_tokens: int, frames: dict | None = None) -> None:
        super().__init__()
        options = dict(frames or {})
        if options.pop("kind", "learned") != "learned":
            raise ValueError("the amplitude LLoCa-Transformer takes learned frames only")
        vector_net = {**options.pop("vector_net", {}), "num_scalars": num_tokens}
        self.frames = LearnedFrames(vector_net=vector_net, **options)
        # references break the invariance: the events stay in the lab frame
        self.in_rest_frame = not len(self.frames.vector_net.references)
        self.net = build_net(LLoCaTransformer, net, NUM_LOCAL_FEATURES + num_tokens, 1)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, tokens: torch.Tensor | None = None) -> torch.Tensor:
        """Predictions (B,) for momenta (B, n_max, 4) GeV."""
        if self.in_rest_frame:  # before the scaling, which would round the boosted components again
            momenta = to_total_rest_frame(momenta, mask)
        scaled = self.scaled(momenta, mask)
        tokens = self.masked_tokens(tokens, mask)
        frames = self.frames(scaled, mask, tokens)
        features = local_jet_features(scaled, frames, mask, 1.0)
        if tokens is not None:
            features = torch.cat((features, tokens), dim=-1)
        outputs = self.net(features, frames, mask, scaled.sum(dim=1))
        return masked_mean(outputs, mask)[:, 0]
