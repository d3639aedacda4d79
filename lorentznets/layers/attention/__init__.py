"""Attention backends for padded and packed (variable-length) batches, usable by any net."""

from .packed import BACKENDS, packed_attention
from .padded import padded_attention
from .segments import PackedSegments

__all__ = ["BACKENDS", "PackedSegments", "packed_attention", "padded_attention"]
