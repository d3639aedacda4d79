"""Constant tensors cached per device, so that hot paths never copy from the host."""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch


def device_constant(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """Cache a constant tensor per (dtype, device) arguments, built from Python numbers.

    Eager calls hit the cache (one copy to a GPU, not one per call, which would synchronise the
    stream). Under ``torch.compile`` the builder is traced instead: a tensor made from Python
    numbers becomes a constant of the compiled graph. Callers must not modify the returned tensor.
    """
    cached = functools.lru_cache(maxsize=32)(fn)

    @functools.wraps(fn)
    def constant(*args):
        if torch.compiler.is_compiling():
            return fn(*args)
        return cached(*args)

    return constant
