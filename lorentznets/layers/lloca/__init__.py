"""LLoCa layers: attention and message passing between tensors in the particles' local frames."""

from .frame_attention import FrameTransforms, frame_attention, frame_transforms
from .neighbour_frames import NeighbourFrames, to_centre_frames

__all__ = ["FrameTransforms", "NeighbourFrames", "frame_attention", "frame_transforms", "to_centre_frames"]
