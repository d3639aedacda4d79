"""The spacetime algebra Cl(1,3): blades, product tables, involutions and the Lorentz action."""

from .action import multivector_representation, transform_multivector
from .blades import BLADE_NAMES, BLADES, GRADE_SLICES, GRADES, METRIC_SIGNATURE, NUM_COMPONENTS
from .equivariant_basis import equivariant_linear_basis
from .involutions import clifford_conjugate, dual, grade_involute, grade_project, grades, reverse
from .products import (
    geometric_product,
    hestenes_inner_product,
    inner_product,
    inner_product_signs,
    outer_product,
)
from .tables import (
    geometric_product_table,
    inner_product_table,
    outer_product_table,
    product_entries,
    product_table,
)

__all__ = [
    "BLADES",
    "BLADE_NAMES",
    "GRADES",
    "GRADE_SLICES",
    "METRIC_SIGNATURE",
    "NUM_COMPONENTS",
    "clifford_conjugate",
    "dual",
    "equivariant_linear_basis",
    "geometric_product",
    "geometric_product_table",
    "grade_involute",
    "grade_project",
    "grades",
    "hestenes_inner_product",
    "inner_product",
    "inner_product_signs",
    "inner_product_table",
    "multivector_representation",
    "outer_product",
    "outer_product_table",
    "product_entries",
    "product_table",
    "reverse",
    "transform_multivector",
]
