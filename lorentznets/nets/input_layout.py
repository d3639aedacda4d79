"""Shape and dtype checks of a net's inputs in its ``forward`` (no tensor values read); the padding
of the checked inputs is :mod:`lorentznets.utils.padding`."""

from __future__ import annotations

import torch


def check_particle_layout(
    net: str, mask: torch.Tensor, dtype: torch.dtype, **inputs: tuple[torch.Tensor, int | None]
) -> None:
    """Refuse a batch the net cannot take, naming the net, the input, and what it needs.

    Parameters
    ----------
    net : str
        The net's name, for the messages.
    mask : torch.Tensor with shape (B, N), bool
    dtype : torch.dtype
        The net's parameters'; inputs of lower float precision pass (they run in float32).
    **inputs : (torch.Tensor with shape (B, N, C), int or None)
        Each input with its channel count C (None: any).

    Raises
    ------
    ValueError
        A mask that is not a bool (B, N) tensor, or an input of another shape.
    TypeError
        An input that is not a float tensor of the parameters' precision.
    """
    if mask.dim() != 2 or mask.dtype != torch.bool:
        raise ValueError(f"{net}: mask must be a bool tensor of shape (B, N), got {mask.dtype} {tuple(mask.shape)}")
    for name, (x, channels) in inputs.items():
        expected = (*mask.shape, "C" if channels is None else channels)
        if x.dim() != 3 or x.shape[:2] != mask.shape or (channels is not None and x.shape[2] != channels):
            raise ValueError(f"{net}: {name} must have shape {expected} for the mask, got {tuple(x.shape)}")
        check_float_input(net, name, x, dtype)


def check_float_input(net: str, name: str, x: torch.Tensor, dtype: torch.dtype) -> None:
    """Refuse an input the net's parameters cannot multiply: integers, or another float precision
    than ``dtype`` (lower precisions also pass a float32 net: they run in float32, the autocast
    convention).

    Raises
    ------
    TypeError
        Naming the net, the input, both dtypes and the conversion.
    """
    if not x.is_floating_point() or (x.dtype != dtype and torch.promote_types(x.dtype, torch.float32) != dtype):
        raise TypeError(
            f"{net}: {name} are {x.dtype}, but the network's parameters are {dtype}; convert the inputs "
            f"(e.g. x.to({dtype})) or the network (e.g. net.to({x.dtype}))"
        )


def check_frames(
    net: str, frames: torch.Tensor, particles: tuple[int, ...], dtype: torch.dtype, higher_precision: bool = False
) -> None:
    """Refuse local frames that do not match the particles: one (4, 4) matrix per particle slot.

    Parameters
    ----------
    net : str
        The net's name, for the messages.
    frames : torch.Tensor with shape (B, N, 4, 4)
    particles : tuple of int
        (B, N), e.g. the mask's shape.
    dtype : torch.dtype
        The net's parameters' (see :func:`check_float_input`).
    higher_precision : bool
        Also accept frames of a higher float precision (float64 frames of a float32 net whose
        frame transforms run in the frames' precision).

    Raises
    ------
    ValueError
        Frames of another shape.
    TypeError
        Frames that are not float tensors of the parameters' precision.
    """
    expected = (*particles, 4, 4)
    if tuple(frames.shape) != expected:
        raise ValueError(f"{net}: frames must have shape {expected} for the particles, got {tuple(frames.shape)}")
    if higher_precision and frames.is_floating_point() and torch.promote_types(frames.dtype, dtype) == frames.dtype:
        return
    check_float_input(net, "frames", frames, dtype)
