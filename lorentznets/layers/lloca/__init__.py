"""LLoCa layers: attention between tensors in the particles' local frames."""

from .frame_attention import FrameTransforms, frame_attention, frame_transforms

__all__ = ["FrameTransforms", "frame_attention", "frame_transforms"]
