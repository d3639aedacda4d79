"""Layers of the nets, one subpackage per family (``gatr``, ``pelican``, ``lorentznet``, ``lgn``), and the
attention backends for padded and packed batches that any of them can use."""

from .attention import BACKENDS, PackedSegments, packed_attention, padded_attention
from .gatr.config import AttentionConfig, MLPConfig

__all__ = ["BACKENDS", "AttentionConfig", "MLPConfig", "PackedSegments", "packed_attention", "padded_attention"]
