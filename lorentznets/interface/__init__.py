"""Embedding four-vectors, scalars and reference multivectors into Cl(1,3), and extracting them;
the beam reference particles of the taggers."""

from .beams import beam_pair, prepend_beams
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
    "beam_pair",
    "embed_bivector",
    "embed_pseudoscalar",
    "embed_scalar",
    "embed_vector",
    "extract_bivector",
    "extract_pseudoscalar",
    "extract_scalar",
    "extract_vector",
    "num_spurions",
    "prepend_beams",
    "spurions",
]
