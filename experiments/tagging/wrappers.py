"""Tagging wrappers: embed jets for a library net and pool its output to per-jet logits.

Every tagging wrapper is registered with ``@register_wrapper("tagging", <model name>)`` and
has the same interface, so any of them plugs into :class:`TaggingExperiment`:

- constructor ``Wrapper(net: dict, out_channels: int, num_scalars: int, **options)``: ``net``
  is ``cfg.model.net`` (the library net's hyperparameters without channel counts),
  ``out_channels`` 1 for binary tagging (a logit) or the number of classes, ``num_scalars``
  the per-particle scalar features S (0 without), ``options`` from ``cfg.model.wrapper``;
- ``forward(momenta (B, N, 4) GeV, mask (B, N) bool, scalars (B, N, S) | None)
  -> logits (B, out_channels)``; the wrappers with the ParT-style constituent features also take
  ``jets`` (B, 4) GeV, each jet's momentum from all its constituents in the file, which the
  ``weaver`` convention needs (:attr:`~TaggingWrapper.takes_jets`; the experiment passes the
  batches' ``jets`` then);
- a buffer ``momentum_scale`` (GeV) set by the experiment from the training data through
  :meth:`set_momentum_scale`, so saved models carry it;
- an attribute ``feature_convention`` (``data.features``, set through
  :meth:`~TaggingWrapper.set_feature_convention`; the experiment saves it with the model), the
  definitions of the ParT-style constituent features (:mod:`experiments.tagging.features`) of
  the wrappers that use them;
- a class attribute ``head_prefixes``, the parameter-name prefixes of the classifier head (every
  parameter whose shape depends on ``out_channels`` is in it), for fine-tuning.

Wrappers of other families live in ``wrappers_<family>.py`` next to this file and are picked up
by :func:`experiments.registry.wrappers_for`. ``WRAPPERS`` is the live registry.
"""

from __future__ import annotations

from typing import ClassVar

import torch

from experiments.common.host_inputs import packing
from experiments.common.momentum_scale import MomentumScaled
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper, wrapper_registry
from experiments.tagging.features import FEATURE_CONVENTIONS, NUM_KINEMATIC_FEATURES, jet_constituent_features
from lorentznets.interface import embed_vector, extract_scalar, spurions
from lorentznets.nets.lgatr import LGATr
from lorentznets.nets.pooling import masked_mean, segment_mean
from lorentznets.nets.transformer import Transformer

WRAPPERS = wrapper_registry("tagging")


class TaggingWrapper(MomentumScaled):
    """Common part of the tagging wrappers: the momentum unit as a saved buffer, and the head."""

    head_prefixes: ClassVar[tuple[str, ...]]
    """Parameter-name prefixes of the head, the classifier after the backbone whose output layer
    depends on the number of classes: fine-tuning (``training.finetune``) re-initialises what no
    longer fits and gives the head its own learning rate."""

    feature_convention: str = FEATURE_CONVENTIONS[0]
    """Definitions of the ParT-style constituent features (``data.features``): a setting of the
    model's function, not a weight; unused by the wrappers without those features."""

    uses_constituent_features: bool = False
    """Whether ``forward`` computes the ParT-style constituent features (and takes ``jets``)."""

    def set_feature_convention(self, convention: str) -> None:
        """Use the constituent features of ``convention`` (one of ``FEATURE_CONVENTIONS``)."""
        if convention not in FEATURE_CONVENTIONS:
            raise ValueError(f"unknown feature convention {convention!r}; choose from {FEATURE_CONVENTIONS}")
        self.feature_convention = convention

    @property
    def takes_jets(self) -> bool:
        """Whether ``forward`` needs ``jets`` (B, 4): the ``weaver`` convention's features are taken
        against each jet's momentum from all its constituents, not only the kept ones."""
        return self.uses_constituent_features and self.feature_convention == "weaver"

    def feature_jets(self, jets: torch.Tensor | None, momenta: torch.Tensor) -> torch.Tensor | None:
        """The jets the constituent features are taken against, for ``jets=`` of
        :func:`~experiments.tagging.features.jet_constituent_features`.

        Parameters
        ----------
        jets : torch.Tensor with shape (B, 4) or None
            Each jet's (E, px, py, pz) in GeV from all its constituents in the file.
        momenta : torch.Tensor with shape (B, N, 4)
            The constituents, for the dtype.

        Returns
        -------
        torch.Tensor with shape (B, 1, 4), or None for ``lorentznets`` (the sum of the kept
        constituents, as every model saved before the setting existed)

        Raises
        ------
        ValueError
            The ``weaver`` convention without ``jets``.
        """
        if self.feature_convention != "weaver":
            return None
        if jets is None:
            raise ValueError(
                f"{type(self).__name__}: data.features=weaver takes pT_rel, E_rel, delta eta and delta phi against "
                "each jet's full momentum: pass jets (B, 4), the (E, px, py, pz) in GeV of all its constituents "
                "(the batches' 'jets')"
            )
        return jets.to(momenta.dtype)[:, None]


@register_wrapper("tagging", "transformer")
class TransformerTaggingWrapper(TaggingWrapper):
    """Transformer on ParT-style constituent features (+ scalars), mean-pooled.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.transformer.Transformer` arguments without channel counts.
    out_channels : int
        Logits per jet.
    num_scalars : int
        Extra per-particle scalar features.
    """

    head_prefixes = ("net.linear_out.",)
    uses_constituent_features = True

    def __init__(self, net: dict, out_channels: int, num_scalars: int) -> None:
        super().__init__()
        self.net = build_net(
            Transformer, net, in_channels=NUM_KINEMATIC_FEATURES + 4 + num_scalars, out_channels=out_channels
        )

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
        features = jet_constituent_features(momenta, mask, jet, self.feature_convention)
        inputs = [features, momenta / self.momentum_scale]
        if scalars is not None:
            inputs.append(scalars)
        return masked_mean(self.net(torch.cat(inputs, dim=-1), mask), mask)


@register_wrapper("tagging", "gatr")
class LGATrTaggingWrapper(TaggingWrapper):
    """L-GATr on constituent 4-momenta embedded as vectors, mean-pooled.

    Each particle carries one multivector channel with its momentum (divided by
    ``momentum_scale``) and, to break the symmetry down to what the detector respects,
    reference multivectors ("spurions", :func:`lorentznets.interface.spurions`) as extra
    channels: by default the plane transverse to the beam and the time direction, as in the
    L-GATr tagger. With ``beam=None, time=False`` the tagger is exactly Lorentz-invariant.
    The logits are the scalar components of the output multivector channels, averaged over the
    real particles.

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.lgatr.LGATr` arguments without channel counts
        (``num_blocks``, ``hidden_mv_channels``, ``hidden_s_channels``, ``attention``, ``mlp``,
        ...).
    out_channels : int
        Logits per jet.
    num_scalars : int
        Per-particle scalar features.
    beam : str or None
        Beam spurion: ``"xyplane"``, ``"lightlike"``, ``"spacelike"``, ``"timelike"`` or None.
    time : bool
        Add the time-direction spurion.
    beam_mirror : bool
        For four-vector beams, add the mirrored beam too.
    jet_channel : bool
        Give every particle the jet momentum (sum of the real constituents) as one more vector
        channel, so that jet-level invariants such as the jet mass are available from the first
        layer; covariant, so it keeps every symmetry of the tagger. Our addition to the published
        tagger: on the quick top-tagging setup (``data.max_jets=10000 data.max_particles=30
        training.iterations=400``) the net without it (``+model.wrapper.jet_channel=false``) sat at
        a validation loss near 0.6 for the first 300 steps, with it the loss was 0.29 after 100.
    kinematic_scalars : bool
        Also feed the seven ParT-style constituent features
        (:func:`experiments.tagging.features.jet_constituent_features`) as scalars. They are not
        Lorentz-invariant, so use them only together with symmetry-breaking spurions.
    """

    head_prefixes = ("net.linear_out.",)

    def __init__(
        self,
        net: dict,
        out_channels: int,
        num_scalars: int,
        beam: str | None = "xyplane",
        time: bool = True,
        beam_mirror: bool = True,
        jet_channel: bool = True,
        kinematic_scalars: bool = False,
    ) -> None:
        super().__init__()
        self.register_buffer("spurions", spurions(beam, time, beam_mirror))
        self.jet_channel, self.kinematic_scalars = jet_channel, kinematic_scalars
        self.uses_constituent_features = kinematic_scalars
        self.net = build_net(
            LGATr,
            net,
            in_mv_channels=1 + int(jet_channel) + len(self.spurions),
            out_mv_channels=out_channels,
            in_s_channels=num_scalars + (NUM_KINEMATIC_FEATURES if kinematic_scalars else 0),
            out_s_channels=0,
        )

    def host_inputs(self, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        """Indices of the packed batch (:func:`~experiments.common.host_inputs.packing`) for
        :meth:`forward`: L-GATr then attends within each jet's real particles only, also on CUDA
        and under ``torch.compile``, where it would otherwise run padded with a key mask."""
        return packing(mask)

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        pack_index: torch.Tensor | None = None,
        offsets: torch.Tensor | None = None,
        jets: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N).

        ``pack_index`` (T,) and ``offsets`` (B + 1,): optional :meth:`host_inputs` of ``mask``;
        the same logits from a packed batch, with no value read on the host. ``jets`` (B, 4) GeV:
        with ``kinematic_scalars``, see :meth:`~TaggingWrapper.feature_jets` (the jet channel
        stays the sum of the kept constituents).
        """
        vectors = embed_vector(momenta / self.momentum_scale)[..., None, :]
        if self.jet_channel:
            jet = embed_vector((momenta * mask[..., None]).sum(dim=1) / self.momentum_scale)
            vectors = torch.cat([vectors, jet[:, None, None, :].expand_as(vectors)], dim=-2)
        references = self.spurions.to(vectors.dtype).expand(*momenta.shape[:2], -1, -1)
        if self.kinematic_scalars:
            jet = self.feature_jets(jets, momenta)
            kinematic = jet_constituent_features(momenta, mask, jet, self.feature_convention)
            scalars = kinematic if scalars is None else torch.cat([kinematic, scalars], dim=-1)
        multivectors = torch.cat([vectors, references], dim=-2)
        if pack_index is None:
            outputs, _ = self.net(multivectors, scalars=scalars, mask=mask)
            return masked_mean(extract_scalar(outputs)[..., 0], mask)
        num_particles = momenta.shape[1]
        if scalars is not None:
            scalars = scalars.flatten(0, 1).index_select(0, pack_index)
        packed = multivectors.flatten(0, 1).index_select(0, pack_index)
        outputs, _ = self.net(packed, scalars=scalars, offsets=offsets, max_length=num_particles)
        return segment_mean(extract_scalar(outputs)[..., 0], offsets, pack_index // num_particles)
