"""PELICAN layers: equivariant aggregations between pair, particle and set features.

Pair features are dense (B, N, N, C) tensors with a (B, N) particle mask; every layer keeps
padded pairs at zero and aggregates with masked means, so padding never changes the output
of real particles.
"""

from .aggregates import PairStatistics, multiplicity_scale, pair_statistics, particle_counts
from .basis import MAP_NAMES_2TO2, pair_basis_2to2
from .beams import append_beams
from .block import PELICANBlock
from .equivariant_1to2 import Equivariant1to2
from .equivariant_2to2 import Equivariant2to2
from .input_encoder import DotProductEncoder
from .readouts import Equivariant2to0, Equivariant2to1

__all__ = [
    "MAP_NAMES_2TO2",
    "DotProductEncoder",
    "Equivariant1to2",
    "Equivariant2to0",
    "Equivariant2to1",
    "Equivariant2to2",
    "PELICANBlock",
    "PairStatistics",
    "append_beams",
    "multiplicity_scale",
    "pair_basis_2to2",
    "pair_statistics",
    "particle_counts",
]
