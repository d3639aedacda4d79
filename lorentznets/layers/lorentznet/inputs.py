"""The input conventions of the published LorentzNet checkpoints (LorentzNet-release code).

Top tagging: two beam particles (sqrt(2), 0, 0, +-1) (unit mass, unit momentum along z) are
prepended to every jet, and the scalars are psi(one-hot(constituent, beam) * sqrt(|p^2|)), so a
constituent carries (psi(m), 0) and a beam (0, log 2). Padding is trimmed to the longest jet of
the batch, because the original readout divides by the padded particle count.
Quark-gluon: no beams; the scalars are a one-hot of |PID| over
(11, 13, 22, 130, 211, 321, 2112, 2212), all zero for padding.
"""

from __future__ import annotations

import math

import torch

from ...interface.beams import prepend_beams
from ...lorentz import squared_mass
from .signed_log import signed_log

QUARK_GLUON_PIDS = (11, 13, 22, 130, 211, 321, 2112, 2212)


def top_tagging_inputs(
    p: torch.Tensor, mask: torch.Tensor, trim: bool = True, dtype: torch.dtype | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Build LorentzNet's top-tagging inputs from constituents.

    The masses sqrt|E^2 - |p|^2| are computed in float64 whatever the input dtype. For nearly
    massless constituents E^2 and |p|^2 cancel: from float32 momenta the result is rounding noise
    of order 1e-4 E (E = 100 GeV: m ~ 0.03 GeV instead of 0), in the original code as in ours,
    and it moves the logits of the published top-tagging checkpoint visibly (the issue tracker
    measured about 1 against float64). To feed a float32 network, pass the momenta in float64
    (as stored) and ``dtype=torch.float32``: the cast then comes after the cancellation.

    Parameters
    ----------
    p : torch.Tensor with shape (B, N, 4)
        Constituent momenta (E, px, py, pz) in GeV, padded.
    mask : torch.Tensor with shape (B, N), bool
    trim : bool
        Drop trailing padding slots unused by every jet (as the original collate function does).
    dtype : torch.dtype, optional
        Floating dtype of the returned scalars and momenta (default: that of ``p``).

    Returns
    -------
    scalars : torch.Tensor with shape (B, N' + 2, 2)
    p : torch.Tensor with shape (B, N' + 2, 4), beams first, zeros for padding.
    mask : torch.Tensor with shape (B, N' + 2), bool
    """
    if p.dim() != 3 or p.shape[-1] != 4 or mask.shape != p.shape[:2]:
        raise ValueError(
            f"top_tagging_inputs: expected p (B, N, 4) and mask (B, N), got {tuple(p.shape)} and {tuple(mask.shape)}"
        )
    if trim:
        used = int(mask.sum(dim=1).max()) if mask.numel() else 0
        order = torch.argsort((~mask).to(torch.int8), dim=1, stable=True)
        p = torch.gather(p, 1, order[..., None].expand(-1, -1, 4))[:, :used]
        mask = torch.gather(mask, 1, order)[:, :used]
    p, mask, is_beam, _ = prepend_beams(p * mask[..., None], mask, math.sqrt(2.0))
    mass = squared_mass(p.double()).abs().sqrt()
    is_beam = is_beam.double()
    scalars = signed_log(torch.stack(((1.0 - is_beam) * mass, is_beam * mass), dim=-1)) * mask[..., None]
    dtype = p.dtype if dtype is None else dtype
    return scalars.to(dtype), p.to(dtype), mask


def quark_gluon_scalars(pid: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """One-hot |PID| scalars of the quark-gluon checkpoint.

    Parameters
    ----------
    pid : torch.Tensor with shape (B, N)
        PDG ids (sign ignored); padded entries are ignored.
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (B, N, 8), float32.
    """
    table = torch.tensor(QUARK_GLUON_PIDS, device=pid.device)
    hits = pid.abs().long()[..., None] == table
    unknown = mask & ~hits.any(dim=-1)
    if unknown.any():
        bad = sorted(set(pid[unknown].abs().long().tolist()))
        raise ValueError(f"quark_gluon_scalars: unknown |PID| {bad}; expected one of {QUARK_GLUON_PIDS}")
    return (hits & mask[..., None]).float()
