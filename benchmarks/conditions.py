"""The measurement conditions every benchmark prints with its figures."""

from __future__ import annotations

import os

import torch


def conditions(load: float | None = None) -> str:
    """Torch threads and the 1-minute load average, printed with every figure.

    Parameters
    ----------
    load : float, optional
        The load average when the figure was measured, if not now.

    Returns
    -------
    str
        ``"[torch threads T, load L]"``.
    """
    load = os.getloadavg()[0] if load is None else load
    return f"[torch threads {torch.get_num_threads()}, load {load:.1f}]"
