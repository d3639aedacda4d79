"""Local reference frames (LLoCa): learned equivariant frames, symmetry-breaking and random frames,
tensor representations and their change between frames.

A frame is the matrix L_i (..., 4, 4) from global to local components of particle i; equivariant
frames transform as ``L_i -> L_i Lambda^-1`` (see :mod:`lorentznets.frames.frame_ops`).
"""

from .frame_ops import change_of_frame, frame_matmul, frame_parity, inverse_frame, to_local
from .gram_schmidt import gram_schmidt_frames
from .learned_frames import METHODS, LearnedFrames
from .local_features import NUM_LOCAL_FEATURES, local_jet_features
from .polar_decomposition import orthonormal_rotation, polar_decomposition_frames, rest_frame_boost
from .random_frames import TRANSFORMS, RandomGlobalFrames, identity_frames
from .references import REFERENCES, reference_vectors
from .regularize import cap_boost, regularize_masses, separate_references, total_momentum
from .rest_frame import boost_events, to_total_rest_frame, total_rest_boost
from .tensor_reps import TensorReps, representation_matrix, transform_tensor_reps
from .vector_net import EquivariantVectorNet

__all__ = [
    "METHODS",
    "NUM_LOCAL_FEATURES",
    "REFERENCES",
    "TRANSFORMS",
    "EquivariantVectorNet",
    "LearnedFrames",
    "RandomGlobalFrames",
    "TensorReps",
    "boost_events",
    "cap_boost",
    "change_of_frame",
    "frame_matmul",
    "frame_parity",
    "gram_schmidt_frames",
    "identity_frames",
    "inverse_frame",
    "local_jet_features",
    "orthonormal_rotation",
    "polar_decomposition_frames",
    "reference_vectors",
    "regularize_masses",
    "representation_matrix",
    "rest_frame_boost",
    "separate_references",
    "to_local",
    "to_total_rest_frame",
    "total_momentum",
    "total_rest_boost",
    "transform_tensor_reps",
]
