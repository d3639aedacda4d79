"""Assignment wrappers: a library net encodes jets into per-jet features, SPANet-style heads
turn them into per-particle log-probabilities and detection logits.

Every assignment wrapper is registered with ``@register_wrapper("assignment", <model name>)``
and subclasses :class:`AssignmentWrapper`:

- constructor ``Wrapper(net: dict, topology, invariant_features, features=64, rank=32,
  num_classes=None, **options)``: ``net`` is ``cfg.model.net``; ``invariant_features`` names
  the per-vector features that are Lorentz scalars (e.g. ``mass``, ``btag``; in every SEQUENTIAL
  input that has them), the only ones the Lorentz-equivariant backbones see besides the
  four-momenta and, with several inputs, the input flags; the global inputs are passed to them as
  scalars too, fixed numbers to the net, so a transformation of the whole event leaves the output
  unchanged only where it leaves them unchanged (a missing transverse momentum's magnitude under
  rotations about and boosts along the beam axis, its ``sin_phi``/``cos_phi`` under boosts along
  it only); ``num_classes`` the class count
  per CLASSIFICATIONS target of the event file;
- ``forward(features (B, N, F) raw, momenta (B, N, 4) GeV, mask (B, N), global_features (B, G))
  -> (log_probs: list of (B, N, ..., N), detection_logits (B, P))``, plus a third element
  ``(regressions (B, R), classification_logits: list of (B, C_k))`` when the event file declares
  REGRESSIONS or CLASSIFICATIONS (:class:`~lorentznets.assignment.event_heads.EventHeads`);
- buffers for the feature and regression-target statistics, the class counts and the momentum
  unit (set by the experiment from the training split), so a saved model needs no data file.

Backbones with other models live in ``wrappers_<model>.py``. ``WRAPPERS`` is the live registry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import torch

from experiments.assignment.normalization import FeatureTransform
from experiments.common.momentum_scale import MomentumScaled
from experiments.common.net_config import build_net
from experiments.registry import register_wrapper, wrapper_registry
from lorentznets.assignment.event_heads import EventHeads
from lorentznets.assignment.event_targets import classification_targets, regression_targets
from lorentznets.assignment.input_layout import vector_layout
from lorentznets.assignment.model import AssignmentHeads
from lorentznets.assignment.topology import EventTopology
from lorentznets.nets.transformer import Transformer

WRAPPERS = wrapper_registry("assignment")


class AssignmentWrapper(MomentumScaled, ABC):
    """Feature transforms, a per-jet backbone (:meth:`encode`, in subclasses) and the heads.

    Parameters
    ----------
    topology : EventTopology
    invariant_features : sequence of str
        Per-jet features that are Lorentz invariant, passed as scalars to equivariant backbones.
    features : int
        Per-jet feature size D between backbone and heads.
    rank : int
        Rank of the symmetric score tensors.
    num_classes : sequence of int, optional
        Classes per CLASSIFICATIONS target of the event file (required when it declares any).

    Attributes
    ----------
    sees_invariant_features : bool
        Whether :meth:`encode` uses its ``invariants``; a backbone that does not accepts
        ``invariant_features`` the event file lacks.
    """

    sees_invariant_features = True

    def __init__(
        self,
        topology: EventTopology,
        invariant_features: Sequence[str],
        features: int = 64,
        rank: int = 32,
        num_classes: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
        layout = vector_layout(topology)
        self.feature_names = layout.names
        present = layout.features[layout.num_flags :]
        missing = [name for name in invariant_features if name not in present]
        if missing and self.sees_invariant_features:
            kept = [name for name in invariant_features if name in present]
            raise KeyError(
                f"{topology.source}: data.invariant_features names {missing}, which no SEQUENTIAL input of this "
                f"event file has (its features: {list(layout.names)}); override it, e.g. "
                f"data.invariant_features=[{','.join(kept)}]"
            )
        global_transforms = [t for features_ in topology.global_inputs.values() for t in features_.values()]
        self.feature_transform = FeatureTransform(layout.transforms)
        self.global_transform = FeatureTransform(global_transforms)
        # Input flags are Lorentz scalars; so is every column of a feature named invariant.
        invariant = [
            c for c, (o, f) in enumerate(zip(layout.owner, layout.features)) if o < 0 or f in invariant_features
        ]
        self.register_buffer("invariant_index", torch.tensor(invariant, dtype=torch.long))
        # owner[s, c]: column c applies to vectors of input s (input flags apply to all).
        owner = torch.tensor([[o in (s, -1) for o in layout.owner] for s in range(len(layout.inputs))])
        self.register_buffer("column_owner", owner.float(), persistent=False)
        self.num_flags = layout.num_flags
        self.num_features = len(layout.names)
        self.num_globals = len(global_transforms)
        self.num_invariants = len(invariant) + self.num_globals
        self.features = features
        self.heads = AssignmentHeads(topology, features, rank)
        self.topology = topology
        regressions, classifications = regression_targets(topology), classification_targets(topology)
        self.event_heads = None
        if regressions or classifications:
            if classifications and num_classes is None:
                raise ValueError(f"num_classes is required for the classification targets {list(classifications)}")
            self.event_heads = EventHeads(
                features + self.num_globals, regressions, classifications, list(num_classes or []), hidden=features
            )

    def fit_normalization(self, features: torch.Tensor, mask: torch.Tensor, global_features: torch.Tensor) -> None:
        """Fit the feature statistics on real training vectors (B, N, F), (B, N) and events (B, G);
        each column on the vectors of the input it belongs to."""
        self.feature_transform.fit(features, mask[..., None] & (self._applies(features) > 0))
        if self.num_globals:
            self.global_transform.fit(global_features)

    def fit_regression_statistics(self, regressions: torch.Tensor) -> None:
        """Fit the regression-target standardisation on the training targets (E, R), NaN missing."""
        if self.event_heads is not None:
            self.event_heads.fit(regressions)

    def _applies(self, features: torch.Tensor) -> torch.Tensor:
        """(B, N, F) float: 1 where a column belongs to the vector's input (always with one input)."""
        if not self.num_flags:
            return torch.ones_like(features)
        return features[..., : self.num_flags] @ self.column_owner

    @abstractmethod
    def encode(
        self, jets: torch.Tensor, invariants: torch.Tensor, momenta: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Per-jet features (B, N, D).

        Parameters
        ----------
        jets : torch.Tensor with shape (B, N, F + G)
            All transformed jet features, then the transformed global features.
        invariants : torch.Tensor with shape (B, N, S)
            The transformed invariant jet features, then the global features.
        momenta : torch.Tensor with shape (B, N, 4)
            Four-momenta divided by the momentum scale.
        mask : torch.Tensor with shape (B, N), bool
        """

    def forward(
        self,
        features: torch.Tensor,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        global_features: torch.Tensor | None = None,
        **host_inputs: torch.Tensor,
    ) -> tuple:
        """Per-particle log-probabilities and detection logits (and event-level outputs).

        Parameters
        ----------
        features : torch.Tensor with shape (B, N, F)
            Raw jet features in the event file's order.
        momenta : torch.Tensor with shape (B, N, 4)
            Jet four-momenta (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
        global_features : torch.Tensor with shape (B, G), optional (required when G > 0)
        **host_inputs : torch.Tensor
            The backbone's optional ``host_inputs(mask)`` (:mod:`experiments.common.host_inputs`),
            passed on to :meth:`encode`.

        Returns
        -------
        log_probs : list of torch.Tensor
            Per particle, (B, N, ..., N) with one jet axis per product; -inf for invalid tuples.
        detection_logits : torch.Tensor with shape (B, P)
        event_outputs : tuple, only with event-level targets
            ``(regressions (B, R) in original units, classification logits: list of (B, C_k))``.
        """
        if features.shape[-1] != self.num_features:
            raise ValueError(f"expected {self.num_features} jet features, got shape {tuple(features.shape)}")
        weights = mask[..., None].to(features.dtype)
        jets = self.feature_transform(features) * weights * self._applies(features)
        invariants = jets[..., self.invariant_index]
        globals_ = None
        if self.num_globals:
            if global_features is None or global_features.shape[-1] != self.num_globals:
                raise ValueError(f"expected global features (B, {self.num_globals})")
            globals_ = self.global_transform(global_features)
            per_jet = globals_[:, None, :].expand(-1, jets.shape[1], -1) * weights
            jets = torch.cat([jets, per_jet], dim=-1)
            invariants = torch.cat([invariants, per_jet], dim=-1)
        encoded = self.encode(jets, invariants, momenta / self.momentum_scale, mask, **host_inputs)
        log_probs, detection = self.heads(encoded, mask)
        if self.event_heads is None:
            return log_probs, detection
        return log_probs, detection, self.event_heads(encoded, mask, globals_)


@register_wrapper("assignment", "transformer")
class TransformerAssignmentWrapper(AssignmentWrapper):
    """SPANet's baseline: a Transformer on all transformed jet features (not Lorentz invariant).

    Parameters
    ----------
    net : dict
        :class:`lorentznets.nets.transformer.Transformer` arguments without channel counts.
    **kwargs
        :class:`AssignmentWrapper` arguments.
    """

    # It sees every feature in ``jets``, so data.invariant_features=[mass, btag] (the default) must
    # not refuse an event file without btag.
    sees_invariant_features = False

    def __init__(self, net: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.net = build_net(
            Transformer, net, in_channels=self.num_features + self.num_globals, out_channels=self.features
        )

    def encode(self, jets, invariants, momenta, mask):
        return self.net(jets, mask)
