"""Reference four-vectors that break the Lorentz symmetry of learned frames down to the detector's."""

from __future__ import annotations

import torch

# beam axis (spacelike) and lab time direction; frames that see them are equivariant only under
# transformations that fix them: beam -> rotations about z and boosts transverse to it (SO(1,2)),
# time -> rotations (SO(3)), both -> rotations about the beam (SO(2))
REFERENCES = {"beam": (0.0, 0.0, 0.0, 1.0), "time": (1.0, 0.0, 0.0, 0.0)}


def reference_vectors(
    names: tuple[str, ...], dtype: torch.dtype | None = None, device: torch.device | str | None = None
) -> torch.Tensor:
    """The named reference vectors.

    Parameters
    ----------
    names : tuple of str
        Among ``REFERENCES`` ("beam", "time"); empty for none.

    Returns
    -------
    torch.Tensor with shape (len(names), 4)
    """
    unknown = set(names) - set(REFERENCES)
    if unknown:
        raise ValueError(f"unknown reference vectors {sorted(unknown)}; choose from {sorted(REFERENCES)}")
    return torch.tensor([REFERENCES[name] for name in names], dtype=dtype, device=device).reshape(len(names), 4)
