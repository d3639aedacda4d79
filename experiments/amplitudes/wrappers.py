"""Amplitude-regression wrappers: embed the particles of an event for a library net and return one
number per event, the predicted standardised log amplitude.

Every wrapper is registered with ``@register_wrapper("amplitudes", <model name>)`` and has the same
interface:

- constructor ``Wrapper(net: dict, n_max: int, num_tokens: int, **options)``: ``net`` is
  ``cfg.model.net`` (the library net's hyperparameters without channel counts), ``n_max`` the number of
  (padded) particles per event, ``num_tokens`` the length of the per-particle type tokens (0 without);
- ``forward(momenta (B, n_max, 4) GeV, mask (B, n_max) bool, tokens (B, n_max, T) | None) -> (B,)``;
- a buffer ``momentum_scale`` (GeV), set from the training data by the experiment, saved with the model.

The L-GATr, PELICAN and LorentzNet wrappers see the momenta only through Lorentz-covariant operations
and the tokens as scalars, so their prediction is exactly Lorentz invariant; all wrappers except the
MLP treat particles as a set, so identical particles (same token) can be permuted. The MLP sees the
flattened, zero-padded momenta and tokens. ``WRAPPERS`` is the live registry (other modules
``wrappers_<model>.py`` in this folder may add to it).
"""

from __future__ import annotations

import torch

from experiments.common.momentum_scale import MomentumScaled
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper, wrapper_registry
from lorentznets.layers.lorentznet import real_pairs
from lorentznets.nets.mlp import MLP
from lorentznets.nets.pooling import masked_mean
from lorentznets.nets.transformer import Transformer

__all__ = [
    "WRAPPERS",
    "AmplitudeWrapper",
    "MLPAmplitudeWrapper",
    "TransformerAmplitudeWrapper",
    "LGATrAmplitudeWrapper",
    "PELICANAmplitudeWrapper",
    "LorentzNetAmplitudeWrapper",
]

WRAPPERS = wrapper_registry("amplitudes")


class AmplitudeWrapper(MomentumScaled):
    """Common part: the momentum unit (GeV) as a saved buffer, padding set to zero."""

    def scaled(self, momenta: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Momenta in units of ``momentum_scale`` with padding set to zero."""
        return momenta / self.momentum_scale * mask[..., None].to(momenta.dtype)

    @staticmethod
    def masked_tokens(tokens: torch.Tensor | None, mask: torch.Tensor) -> torch.Tensor | None:
        """Tokens with padding set to zero (None stays None)."""
        return None if tokens is None else tokens * mask[..., None].to(tokens.dtype)


@register_wrapper("amplitudes", "mlp")
class MLPAmplitudeWrapper(AmplitudeWrapper):
    """MLP on the flattened (padded) momenta and tokens; no built-in symmetry."""

    def __init__(self, net: dict, n_max: int, num_tokens: int) -> None:
        super().__init__()
        self.net = build_net(MLP, net, in_channels=n_max * (4 + num_tokens), out_channels=1)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, tokens: torch.Tensor | None = None) -> torch.Tensor:
        """Predictions (B,) for momenta (B, n_max, 4) GeV."""
        features = [self.scaled(momenta, mask)]
        if tokens is not None:
            features.append(self.masked_tokens(tokens, mask))
        return self.net(torch.cat(features, dim=-1).flatten(1))[:, 0]


@register_wrapper("amplitudes", "transformer")
class TransformerAmplitudeWrapper(AmplitudeWrapper):
    """Transformer on per-particle (momentum, token) features, mean-pooled; permutation invariant."""

    def __init__(self, net: dict, n_max: int, num_tokens: int) -> None:
        super().__init__()
        self.net = build_net(Transformer, net, in_channels=4 + num_tokens, out_channels=1)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, tokens: torch.Tensor | None = None) -> torch.Tensor:
        """Predictions (B,) for momenta (B, n_max, 4) GeV."""
        features = [self.scaled(momenta, mask)]
        if tokens is not None:
            features.append(self.masked_tokens(tokens, mask))
        return masked_mean(self.net(torch.cat(features, dim=-1), mask), mask)[:, 0]


@register_wrapper("amplitudes", "gatr")
class LGATrAmplitudeWrapper(AmplitudeWrapper):
    """L-GATr: each particle one vector multivector channel, tokens as scalar channels; the
    prediction is the scalar component of the output multivector, averaged over particles. No
    symmetry-breaking reference vectors: the prediction is exactly Lorentz invariant."""

    def __init__(self, net: dict, n_max: int, num_tokens: int) -> None:
        super().__init__()
        from lorentznets.nets.lgatr import LGATr

        self.net = build_net(
            LGATr, net, in_mv_channels=1, out_mv_channels=1, in_s_channels=num_tokens, out_s_channels=0
        )

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, tokens: torch.Tensor | None = None) -> torch.Tensor:
        """Predictions (B,) for momenta (B, n_max, 4) GeV."""
        from lorentznets.interface import embed_vector, extract_scalar

        multivectors = embed_vector(self.scaled(momenta, mask))[..., None, :]
        outputs, _ = self.net(multivectors, scalars=self.masked_tokens(tokens, mask), mask=mask)
        return masked_mean(extract_scalar(outputs)[..., 0], mask)[:, 0]


@register_wrapper("amplitudes", "pelican")
class PELICANAmplitudeWrapper(AmplitudeWrapper):
    """PELICAN invariant regressor on the pairwise Minkowski products, tokens as scalars.

    Two PELICAN options are task-dependent and set here, overriding ``net``: ``beams`` (beam
    reference particles break Lorentz invariance down to rotations about the beam; off by default, as
    amplitudes are exactly invariant) and ``average_particles`` (the aggregation normalisation, set to
    ``n_max``).
    """

    def __init__(self, net: dict, n_max: int, num_tokens: int, beams: bool = False) -> None:
        super().__init__()
        from lorentznets.nets.pelican import PELICAN

        options = {**net, "beams": beams, "average_particles": float(n_max)}
        self.net = build_net(PELICAN, options, out_channels=1, readout="jet", in_scalar_channels=num_tokens)

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, tokens: torch.Tensor | None = None) -> torch.Tensor:
        """Predictions (B,) for momenta (B, n_max, 4) GeV."""
        return self.net(self.scaled(momenta, mask), mask, self.masked_tokens(tokens, mask))[:, 0]


@register_wrapper("amplitudes", "lorentznet")
class LorentzNetAmplitudeWrapper(AmplitudeWrapper):
    """LorentzNet invariant regressor; tokens (or a constant 1 without tokens) as node scalars."""

    def __init__(self, net: dict, n_max: int, num_tokens: int) -> None:
        super().__init__()
        from lorentznets.nets.lorentznet import LorentzNet

        self.net = build_net(LorentzNet, net, in_scalar_channels=max(num_tokens, 1), out_channels=1, readout="jet")

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """``edges`` (2, E) for :meth:`forward`: the real pairs of ``mask`` (B, n_max), built with
        the batch, so that messages skip the padding of the smaller processes."""
        return {"edges": real_pairs(mask)}

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        tokens: torch.Tensor | None = None,
        edges: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predictions (B,) for momenta (B, n_max, 4) GeV; ``edges``: optional :meth:`host_inputs`."""
        scalars = mask[..., None].to(momenta.dtype) if tokens is None else self.masked_tokens(tokens, mask)
        return self.net(scalars, self.scaled(momenta, mask), mask, edges)[:, 0]
