"""Continuous normalising flows trained by conditional flow matching.

Time runs from 0 (base distribution) to 1 (data). Pieces: flow coordinates for jets, a base
distribution matched to them, the flow-matching loss with periodic angles, ODE integration, and
log-likelihoods with exact or Hutchinson divergence.
"""

from .angles import wrap_angle, wrap_periodic
from .base_distribution import GaussianUniformBase
from .coordinates import PERIODIC_COMPONENTS, JetCoordinates
from .divergence import exact_divergence, hutchinson_divergence
from .flow_matching import VelocityField, conditional_path, flow_matching_loss
from .keyed_noise import (
    keyed_base_sample,
    keyed_flow_matching_noise,
    keyed_rademacher,
    keyed_uniform,
    stream_seed,
)
from .likelihood import flow_log_likelihood
from .ode_solver import FIXED_STEP_METHODS, SolverConfig, odeint
from .sampling import sample_flow, transport
from .time_embedding import GaussianFourierTimeEmbedding

__all__ = [
    "FIXED_STEP_METHODS",
    "GaussianFourierTimeEmbedding",
    "GaussianUniformBase",
    "JetCoordinates",
    "PERIODIC_COMPONENTS",
    "SolverConfig",
    "VelocityField",
    "conditional_path",
    "exact_divergence",
    "flow_log_likelihood",
    "flow_matching_loss",
    "hutchinson_divergence",
    "keyed_base_sample",
    "keyed_flow_matching_noise",
    "keyed_rademacher",
    "keyed_uniform",
    "odeint",
    "sample_flow",
    "stream_seed",
    "transport",
    "wrap_angle",
    "wrap_periodic",
]
