"""LLoCa message passing: neighbour features carried from the neighbour's local frame to the
centre's, ``x_j -> rho(L_i L_j^-1) x_j`` (arXiv 2505.20280, sec. 3.2)."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ...frames import TensorReps, frame_matmul, frame_parity, inverse_frame, transform_tensor_reps
from ..particlenet.knn import gather_neighbours


@dataclass
class NeighbourFrames:
    """The per-particle matrices of one forward pass, shared by every message-passing layer.

    Attributes
    ----------
    frames, inverse : torch.Tensor with shape (B, N, 4, 4)
        ``L_i`` and ``L_i^-1``.
    parity : torch.Tensor with shape (B, N)
        ``sign(det L_i)``.
    """

    frames: torch.Tensor
    inverse: torch.Tensor
    parity: torch.Tensor

    @classmethod
    def from_frames(cls, frames: torch.Tensor) -> NeighbourFrames:
        """Prepare the matrices of frames ``frames`` (B, N, 4, 4)."""
        return cls(frames, inverse_frame(frames), frame_parity(frames))


def to_centre_frames(
    neighbours: torch.Tensor, indices: torch.Tensor, reps: TensorReps, frames: NeighbourFrames
) -> torch.Tensor:
    """Neighbour features in the frame of the particle whose neighbours they are.

    Invariant under global Lorentz transformations when the frames are equivariant, since
    ``L_i L_j^-1`` is. The changes of frame are formed in the frames' dtype (pass float64 frames
    for strongly boosted ones) and applied in the features' dtype.

    Parameters
    ----------
    neighbours : torch.Tensor with shape (B, N, k, reps.dim)
        Features of the k neighbours j of each particle i, in the frames of the j.
    indices : torch.Tensor with shape (B, N, k), int64
        Which particles the neighbours are.
    reps : TensorReps
        Representation of the features.
    frames : NeighbourFrames

    Returns
    -------
    torch.Tensor with shape (B, N, k, reps.dim)
    """
    inverse_j = gather_neighbours(frames.inverse.flatten(-2), indices).unflatten(-1, (4, 4))
    changes = frame_matmul(frames.frames.unsqueeze(2), inverse_j).to(neighbours.dtype)
    parity = frames.parity.unsqueeze(-1) * gather_neighbours(frames.parity.unsqueeze(-1), indices).squeeze(-1)
    return transform_tensor_reps(neighbours, reps, changes, parity)
