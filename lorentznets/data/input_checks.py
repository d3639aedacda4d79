"""Value checks of a batch where it enters a net (they read tensor values on the host).

The nets' ``forward`` never reads values (that would stall a GPU and break ``torch.compile``
graphs); their ``check_inputs``/``validate_inputs`` methods, meant for the data boundary (e.g.
the first batch), use these two functions.
"""

from __future__ import annotations

import torch


def all_finite(values: torch.Tensor) -> bool:
    """Whether every entry of ``values`` (any shape) is finite; synchronises with the device."""
    return bool(torch.isfinite(values).all())


def empty_sets(mask: torch.Tensor) -> list[int]:
    """Indices of the sets (rows of ``mask`` with shape (B, N), bool) without a real particle."""
    return torch.nonzero(~mask.any(dim=1)).flatten().tolist()
