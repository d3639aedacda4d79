"""The measurement conditions every benchmark prints with its figures."""

from __future__ import annotations

import os

import torch


def conditions() -> str:
    """Torch threads and the 1-minute load average, printed with every figure.

    Returns
    -------
    str
        ``"[torch threads T, load L]"``.
    """
    return f"[torch threads {torch.get_num_threads()}, load {os.getloadavg()[0]:.1f}]"
