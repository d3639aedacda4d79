"""SPANet-style jet-parton assignment: event topologies, symmetric tensor-attention heads, the
symmetric loss, greedy and exact decoders and SPANet's purity metrics.

The exact decoder needs ``numba`` and event files need ``pyyaml``
(``pip install lorentznets[assignment]``); import the submodules that use them directly.
"""

from .heads import DetectionHead, SymmetricTensorAttention
from .loss import assignment_loss
from .model import AssignmentHeads
from .topology import EventTopology, ParticleTopology

__all__ = [
    "AssignmentHeads",
    "DetectionHead",
    "EventTopology",
    "ParticleTopology",
    "SymmetricTensorAttention",
    "assignment_loss",
]
