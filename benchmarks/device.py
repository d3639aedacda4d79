"""The device a benchmark was asked for: a CUDA benchmark refuses to run without CUDA, never falls back."""

from __future__ import annotations

import sys
from typing import NoReturn

import torch


def requested_device(name: str) -> torch.device:
    """The torch device ``name`` (``--device``), or exit 2 with one line when it cannot be used.

    A benchmark asked for CUDA on a machine without it would otherwise fail deep inside (or, where
    tensors are moved with a fallback, time the CPU under a CUDA label).

    Parameters
    ----------
    name : str
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ...

    Returns
    -------
    torch.device
    """
    try:
        device = torch.device(name)
    except RuntimeError as error:
        _refuse(f"--device {name}: not a torch device ({error})")
    if device.type == "cuda" and not torch.cuda.is_available():
        _refuse(f"--device {name}: no CUDA device here (torch {torch.__version__}); not falling back to the CPU")
    return device


def _refuse(message: str) -> NoReturn:
    print(f"{sys.argv[0]}: {message}", file=sys.stderr)
    sys.exit(2)
