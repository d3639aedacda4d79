"""Check that a step of GPU work never waits for the device."""

from __future__ import annotations

from collections.abc import Callable

import torch


def assert_never_synchronises(step: Callable[[], object]) -> None:
    """Run ``step`` once to warm up, then again under ``torch.cuda.set_sync_debug_mode("error")``.

    The second run raises ``RuntimeError`` at any call that makes the host wait for the device:
    ``.item()``, ``bool(tensor)``, copies to the host, and synchronisations inside kernels such as
    ``nonzero``, boolean indexing or ``repeat_interleave`` without an output size, which tracing
    with ``torch.compile(fullgraph=True)`` cannot see. The warm-up absorbs one-off work (cuBLAS
    handles, compiled kernels). Build the step's host inputs (edge lists, packed offsets) before.

    Parameters
    ----------
    step : callable
        Device work without arguments, e.g. a training forward and backward pass on CUDA tensors.
    """
    if not torch.cuda.is_available():
        raise RuntimeError("assert_never_synchronises needs a CUDA device")
    step()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        step()
    finally:
        torch.cuda.set_sync_debug_mode("default")
