"""Layers of the Lorentz Group Network (LGN, arXiv 2006.04780), acting on complex irrep activations."""

from .cg_level import CGLevel
from .cg_product import ChannelwiseCGProduct
from .features import (
    SCALAR,
    VECTOR,
    IrrepFeatures,
    apply_mask,
    as_complex,
    check_features,
)
from .input_embedding import InputEmbedding
from .irrep_linear import IrrepLinear
from .pair_weights import PairWeights
from .scalar_mlp import ScalarMLP

__all__ = [
    "CGLevel",
    "ChannelwiseCGProduct",
    "InputEmbedding",
    "IrrepFeatures",
    "IrrepLinear",
    "PairWeights",
    "SCALAR",
    "ScalarMLP",
    "VECTOR",
    "apply_mask",
    "as_complex",
    "check_features",
]
