"""L-GATr layers on the paired multivector layout (see ``layout.py``): equivariant linear maps,
the geometric bilinear, layer norm, attention, MLP and the block that combines them."""

from .attention import GeometricSelfAttention
from .bilinear import GeometricBilinear
from .block import LGATrBlock
from .config import AttentionConfig, MLPConfig
from .dropout import GradeDropout
from .layer_norm import EquivariantLayerNorm
from .layout import from_paired, to_paired
from .linear import EquivariantLinear
from .mlp import GeometricMLP
from .nonlinearity import ScalarGatedNonlinearity

__all__ = [
    "AttentionConfig",
    "EquivariantLayerNorm",
    "EquivariantLinear",
    "GeometricBilinear",
    "GeometricMLP",
    "GeometricSelfAttention",
    "GradeDropout",
    "LGATrBlock",
    "MLPConfig",
    "ScalarGatedNonlinearity",
    "from_paired",
    "to_paired",
]
