"""Representation theory of SL(2, C): the Lorentz-group irreps that LGN builds on (pure functions).

Irreps ``(k, n)``, their representation matrices, exact Clebsch-Gordan coefficients and the exact
change of basis between four-vectors and the ``(1, 1)`` irrep.
"""

from .clebsch_gordan import clebsch_gordan, clebsch_gordan_decomposition
from .irreps import Irrep, check_irrep, irrep_dim, product_irreps, sort_irreps
from .representations import irrep_representation, spin_representation
from .spinor_map import (
    irrep_to_vector,
    lorentz_to_sl2c,
    random_sl2c,
    sl2c_to_lorentz,
    vector_to_irrep,
)
from .su2_clebsch_gordan import su2_clebsch_gordan, su2_clebsch_gordan_coefficient

__all__ = [
    "Irrep",
    "check_irrep",
    "clebsch_gordan",
    "clebsch_gordan_decomposition",
    "irrep_dim",
    "irrep_representation",
    "irrep_to_vector",
    "lorentz_to_sl2c",
    "product_irreps",
    "random_sl2c",
    "sl2c_to_lorentz",
    "sort_irreps",
    "spin_representation",
    "su2_clebsch_gordan",
    "su2_clebsch_gordan_coefficient",
    "vector_to_irrep",
]
