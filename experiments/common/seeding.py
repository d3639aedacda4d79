"""Seeding and capture/restore of every random number generator the training touches.

Captured states are plain data (tensors, ints, floats, strings, lists, dicts), so checkpoints
that hold them load with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (CPU and all CUDA devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def combined_seed(*parts: int) -> int:
    """A 64-bit seed from several non-negative integers (e.g. the run's seed and an epoch), through
    numpy's ``SeedSequence``: unlike ``seed + epoch``, (s, e + 1) and (s + 1, e) give unrelated
    streams, so runs of neighbouring seeds do not share their data orders."""
    low, high = np.random.SeedSequence(list(parts)).generate_state(2, np.uint32)
    return int(low) | int(high) << 32


def get_rng_state() -> dict[str, Any]:
    """Return the states of the Python, numpy, torch and CUDA generators as plain data.

    Returns
    -------
    dict
        ``python``: {version, state (625,) int64 tensor, gauss}, ``numpy``: {key (624,) int64
        tensor, pos, has_gauss, gauss}, ``torch``: uint8 tensor, ``cuda``: list of uint8
        tensors (only with CUDA).
    """
    version, mt_state, gauss = random.getstate()
    _, key, pos, has_gauss, cached = np.random.get_state(legacy=True)
    state: dict[str, Any] = {
        "python": {"version": version, "state": torch.tensor(mt_state, dtype=torch.int64), "gauss": gauss},
        "numpy": {
            "key": torch.from_numpy(key.astype(np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "gauss": float(cached),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = list(torch.cuda.get_rng_state_all())
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore generator states captured by :func:`get_rng_state`."""
    python = state["python"]
    random.setstate((python["version"], tuple(int(v) for v in python["state"].tolist()), python["gauss"]))
    numpy = state["numpy"]
    key = numpy["key"].numpy().astype(np.uint32)
    np.random.set_state(("MT19937", key, numpy["pos"], numpy["has_gauss"], numpy["gauss"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
