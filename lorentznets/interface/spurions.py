"""Reference multivectors ("spurions") that break Lorentz symmetry down to the detector's.

Appended as extra multivector channels (or items), they let an equivariant net use the beam axis
and the lab time direction; the net is then only equivariant under transformations that fix them.
"""

from __future__ import annotations

import torch

from .embedding import embed_vector

BEAM_SPURIONS = ("xyplane", "lightlike", "spacelike", "timelike", None)


def num_spurions(beam: str | None = "xyplane", time: bool = True, beam_mirror: bool = True) -> int:
    """How many spurions :func:`spurions` returns for these options."""
    if beam not in BEAM_SPURIONS:
        raise ValueError(f"unknown beam spurion {beam!r}; choose from {BEAM_SPURIONS}")
    count = 0 if beam is None else 1 if beam == "xyplane" or not beam_mirror else 2
    return count + int(time)


def spurions(
    beam: str | None = "xyplane",
    time: bool = True,
    beam_mirror: bool = True,
    dtype: torch.dtype = torch.float32,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Reference multivectors for the beam axis (z) and the time direction.

    Parameters
    ----------
    beam : str or None
        "xyplane": the bivector e12 (the plane transverse to the beam, invariant under z boosts and
        rotations about z, and under z -> -z); "lightlike" (1, 0, 0, 1), "spacelike" (0, 0, 0, 1)
        or "timelike" (sqrt 2, 0, 0, 1) beam four-vectors; None for no beam reference.
    time : bool
        Add the time direction (1, 0, 0, 0).
    beam_mirror : bool
        For four-vector beams, also add the mirrored beam with pz -> -pz.

    Returns
    -------
    torch.Tensor with shape (num_spurions, 16)
    """
    num_spurions(beam, time, beam_mirror)  # validates the options
    rows: list[torch.Tensor] = []
    if beam == "xyplane":
        plane = torch.zeros(16, dtype=dtype, device=device)
        plane[8] = 1.0
        rows.append(plane)
    elif beam is not None:
        energy = {"lightlike": 1.0, "spacelike": 0.0, "timelike": 2.0**0.5}[beam]
        axes = (1.0, -1.0) if beam_mirror else (1.0,)
        rows += [embed_vector(torch.tensor([energy, 0.0, 0.0, z], dtype=dtype, device=device)) for z in axes]
    if time:
        rows.append(embed_vector(torch.tensor([1.0, 0.0, 0.0, 0.0], dtype=dtype, device=device)))
    return torch.stack(rows) if rows else torch.zeros(0, 16, dtype=dtype, device=device)
