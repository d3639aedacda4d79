"""ParT and ParticleNet tagging wrappers (model names ``part`` and ``particlenet``)."""

from __future__ import annotations

import torch

from experiments.common.net_config import build_net
from experiments.registry import register_wrapper
from experiments.tagging.features import NUM_KINEMATIC_FEATURES, constituent_inputs, eta_phi
from experiments.tagging.wrappers import TaggingWrapper
from lorentznets.layers.part import real_pairs, real_particles
from lorentznets.nets.part import ParticleTransformer
from lorentznets.nets.particlenet import ParticleNet


@register_wrapper("tagging", "part")
class ParTTaggingWrapper(TaggingWrapper):
    """Particle Transformer on the seven ParT constituent features (+ scalars), with the pair
    interaction features of the constituent momenta in GeV (not divided by ``momentum_scale``:
    weaver's ``pf_vectors`` are GeV too).

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.part.ParticleTransformer` arguments without channel counts.
    out_channels : int
    num_scalars : int
    """

    head_prefixes = ("net.head.",)
    uses_constituent_features = True

    def __init__(self, net: dict, out_channels: int, num_scalars: int) -> None:
        super().__init__()
        self.net = build_net(ParticleTransformer, net, NUM_KINEMATIC_FEATURES + num_scalars, out_channels)

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """``pairs`` and ``pack_index`` for :meth:`forward`: the real pairs and particles of ``mask``,
        built with the batch, so that the pair embedding and the token-wise layers skip the padded ones."""
        return {"pairs": real_pairs(mask), "pack_index": real_particles(mask)}

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        pairs: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
        jets: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N); ``pairs``
        (3, P) and ``pack_index`` (T,): optional :meth:`host_inputs` of ``mask`` (the same logits,
        less work); ``jets`` (B, 4) GeV: see :meth:`~TaggingWrapper.feature_jets`."""
        jet = self.feature_jets(jets, momenta)
        features = constituent_inputs(momenta, mask, scalars, self.feature_convention, jet)
        return self.net(features, momenta * mask[..., None], mask, pairs=pairs, pack_index=pack_index)


@register_wrapper("tagging", "particlenet")
class ParticleNetTaggingWrapper(TaggingWrapper):
    """ParticleNet on the seven ParT constituent features (+ scalars); the first neighbour search
    uses (delta eta, delta phi) to the jet axis (weaver's ``pf_points``), as published.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.particlenet.ParticleNet` arguments without channel counts.
    out_channels : int
    num_scalars : int
    """

    head_prefixes = ("net.head.",)
    uses_constituent_features = True

    def __init__(self, net: dict, out_channels: int, num_scalars: int) -> None:
        super().__init__()
        self.net = build_net(ParticleNet, net, NUM_KINEMATIC_FEATURES + num_scalars, out_channels)

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        jets: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N); ``jets``
        (B, 4) GeV: see :meth:`~TaggingWrapper.feature_jets`."""
        jet = self.feature_jets(jets, momenta)
        features = constituent_inputs(momenta, mask, scalars, self.feature_convention, jet)
        return self.net(eta_phi(features, self.feature_convention), features, mask)
