"""lorentznets: Lorentz-equivariant deep learning for particle physics.

Four-vectors are (E, px, py, pz) in GeV with the metric diag(+1, -1, -1, -1); multivectors of the
spacetime algebra Cl(1,3) have 16 components (see ``lorentznets.algebra``).
"""

from . import algebra, lorentz, testing
from .algebra import geometric_product, inner_product, multivector_representation, transform_multivector
from .lorentz import minkowski_dot, pairwise_dots, random_lorentz_transform, squared_mass

__version__ = "0.1.0"

__all__ = [
    "__version__", "algebra", "geometric_product", "inner_product", "lorentz", "minkowski_dot",
    "multivector_representation", "pairwise_dots", "random_lorentz_transform", "squared_mass", "testing",
    "transform_multivector",
]
