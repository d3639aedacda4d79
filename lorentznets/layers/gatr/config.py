"""Configuration dataclasses of the L-GATr attention and MLP (castable from Hydra dicts)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from ..arguments import check_at_least, check_choice
from ..attention import BACKENDS
from .nonlinearity import NONLINEARITIES


def _cast(cls: type, config: Any):
    if isinstance(config, cls):
        return config
    if isinstance(config, Mapping):
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"{cls.__name__} got unknown keys {unknown}; known keys: {sorted(known)}")
        return cls(**config)
    raise ValueError(f"cannot cast {config!r} to {cls.__name__}")


@dataclass(frozen=True)
class AttentionConfig:
    """Geometric self-attention settings.

    Parameters
    ----------
    num_heads : int
        Attention heads.
    attn_ratio : int
        Hidden channels per head are ``max(attn_ratio * C // num_heads, 1)`` multivectors and,
        with a scalar stream, ``max(attn_ratio * S // num_heads, 4)`` scalars (as in ``lgatr``).
    backend : str
        Packed-batch attention backend, see :func:`lorentznets.layers.attention.packed_attention`.
    head_scale : bool
        Scale each head's output by a learnable factor (initially 1) before the output layer, as
        ``lgatr``'s ``head_scale`` (NormFormer's HeadScale); the authors' top tagger uses it.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for ``num_heads`` or ``attn_ratio``
        < 1, or an unknown backend.
    """

    num_heads: int = 8
    attn_ratio: int = 1
    backend: str = "auto"
    head_scale: bool = False

    def __post_init__(self) -> None:
        check_at_least("num_heads", self.num_heads, 1)
        check_at_least("attn_ratio", self.attn_ratio, 1)
        check_choice("backend", self.backend, BACKENDS)

    def head_channels(self, mv_channels: int, s_channels: int) -> tuple[int, int]:
        """Multivector and scalar channels per head."""
        hidden_mv = max(self.attn_ratio * mv_channels // self.num_heads, 1)
        hidden_s = max(self.attn_ratio * s_channels // self.num_heads, 4) if s_channels else 0
        return hidden_mv, hidden_s

    @classmethod
    def cast(cls, config: AttentionConfig | Mapping) -> AttentionConfig:
        """Build from an instance or a mapping of field names."""
        return _cast(cls, config)


@dataclass(frozen=True)
class MLPConfig:
    """Geometric MLP settings.

    Parameters
    ----------
    mlp_ratio : int
        Hidden channels are ``mlp_ratio`` times the block channels.
    num_layers_mlp : int
        Layers including the geometric bilinear input layer (at least 1).
    nonlinearity : str
        Gate activation: relu, sigmoid, tanh, gelu or silu.

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for ``mlp_ratio`` or
        ``num_layers_mlp`` < 1, or an unknown nonlinearity.
    """

    mlp_ratio: int = 4
    num_layers_mlp: int = 2
    nonlinearity: str = "gelu"

    def __post_init__(self) -> None:
        check_at_least("mlp_ratio", self.mlp_ratio, 1)
        check_at_least("num_layers_mlp", self.num_layers_mlp, 1)
        check_choice("nonlinearity", self.nonlinearity, NONLINEARITIES)

    @classmethod
    def cast(cls, config: MLPConfig | Mapping) -> MLPConfig:
        """Build from an instance or a mapping of field names."""
        return _cast(cls, config)
