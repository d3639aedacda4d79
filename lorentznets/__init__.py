"""lorentznets: Lorentz-equivariant deep learning for particle physics.

Four-vectors are (E, px, py, pz) in GeV with the metric diag(+1, -1, -1, -1); multivectors of the
spacetime algebra Cl(1,3) have 16 components (see ``lorentznets.algebra``).
"""

from . import algebra, interface, lorentz, nets, testing
from .algebra import geometric_product, inner_product, multivector_representation, transform_multivector
from .interface import embed_scalar, embed_vector, extract_scalar, extract_vector, num_spurions, spurions
from .lorentz import minkowski_dot, pairwise_dots, random_lorentz_transform, squared_mass
from .nets import LGN, MLP, PELICAN, LGATr, LorentzNet, PELICANRegressor, Transformer

__version__ = "0.1.0"

__all__ = [
    "LGATr",
    "LGN",
    "LorentzNet",
    "MLP",
    "PELICAN",
    "PELICANRegressor",
    "Transformer",
    "__version__",
    "algebra",
    "embed_scalar",
    "embed_vector",
    "extract_scalar",
    "extract_vector",
    "geometric_product",
    "inner_product",
    "interface",
    "lorentz",
    "minkowski_dot",
    "multivector_representation",
    "nets",
    "pairwise_dots",
    "random_lorentz_transform",
    "num_spurions",
    "spurions",
    "squared_mass",
    "testing",
    "transform_multivector",
]
