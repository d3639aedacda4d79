"""The Lorentz group: Minkowski metric, collider coordinates and Lorentz transformations."""

from .coordinates import (
    azimuth,
    from_pt_eta_phi_m,
    from_pt_y_phi_m,
    invariant_mass,
    pseudorapidity,
    rapidity,
    safe_sqrt,
    to_pt_eta_phi_m,
    to_pt_y_phi_m,
    transverse_momentum,
)
from .metric import metric_signs, minkowski_dot, minkowski_metric, pairwise_dots, squared_mass
from .transforms import (
    boost_matrix,
    lorentz_violation,
    parity_matrix,
    random_boost,
    random_lorentz_transform,
    random_rotation,
    rotation_matrix,
    time_reversal_matrix,
)

__all__ = [
    "azimuth",
    "boost_matrix",
    "from_pt_eta_phi_m",
    "from_pt_y_phi_m",
    "invariant_mass",
    "lorentz_violation",
    "metric_signs",
    "minkowski_dot",
    "minkowski_metric",
    "pairwise_dots",
    "parity_matrix",
    "pseudorapidity",
    "random_boost",
    "random_lorentz_transform",
    "random_rotation",
    "rapidity",
    "rotation_matrix",
    "safe_sqrt",
    "squared_mass",
    "time_reversal_matrix",
    "to_pt_eta_phi_m",
    "to_pt_y_phi_m",
    "transverse_momentum",
]
