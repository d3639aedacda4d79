"""Embedding four-vectors, scalars and reference multivectors into Cl(1,3), and extracting them."""

from .embedding import (
    embed_bivector,
    embed_pseudoscalar,
    embed_scalar,
    embed_vector,
    extract_bivector,
    extract_pseudoscalar,
    extract_scalar,
    extract_vector,
)
from .spurions import BEAM_SPURIONS, num_spurions, spurions

__all__ = [
    "BEAM_SPURIONS",
    "embed_bivector",
    "embed_pseudoscalar",
    "embed_scalar",
    "embed_vector",
    "extract_bivector",
    "extract_pseudoscalar",
    "extract_scalar",
    "extract_vector",
    "num_spurions",
    "spurions",
]
