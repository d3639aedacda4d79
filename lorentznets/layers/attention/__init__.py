"""Attention backends for padded and packed (variable-length) batches, usable by any net."""

from .flex import event_block_mask, flex_available
from .pack_index import real_particles, unpack
from .packed import BACKENDS, packed_attention, resolve_backend
from .padded import padded_attention
from .segments import PackedSegments, check_offsets

__all__ = [
    "BACKENDS",
    "PackedSegments",
    "check_offsets",
    "event_block_mask",
    "flex_available",
    "packed_attention",
    "padded_attention",
    "real_particles",
    "resolve_backend",
    "unpack",
]
