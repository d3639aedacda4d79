"""Beam reference vectors that PELICAN (optionally) appends to every jet."""

from __future__ import annotations

import torch

from ...interface.beams import prepend_beams


def append_beams(
    p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Prepend the two beams (1, 0, 0, +1) and (1, 0, 0, -1) and label every entry.

    With beams the network is invariant only under the transformations that fix both beam vectors:
    rotations about the z axis (a boost along z rescales them, so it is not a symmetry). This is
    how PELICAN's top tagger reaches its published accuracy (arXiv 2211.00454).

    Parameters
    ----------
    p : torch.Tensor with shape (B, N, 4)
        Momenta (E, px, py, pz), in the network's momentum units.
    mask : torch.Tensor with shape (B, N), bool
    scalars : torch.Tensor with shape (B, N, S), optional
        Per-particle features; the beams get zeros.

    Returns
    -------
    p : torch.Tensor with shape (B, N + 2, 4)
    mask : torch.Tensor with shape (B, N + 2), bool
    labels : torch.Tensor with shape (B, N + 2, 2 + S)
        One-hot (constituent, beam) followed by ``scalars``; zero for padded particles.
    """
    p, mask, is_beam, scalars = prepend_beams(p, mask, 1.0, scalars)
    labels = torch.stack((1.0 - is_beam, is_beam), dim=-1)
    if scalars is not None:
        labels = torch.cat((labels, scalars), dim=-1)
    return p, mask, labels * mask[..., None]
