"""Beam reference vectors that PELICAN (optionally) appends to every jet."""

from __future__ import annotations

import torch


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
    batch = p.shape[0]
    beams = p.new_tensor([[1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, -1.0]]).expand(batch, 2, 4)
    p = torch.cat((beams, p), dim=1)
    mask = torch.cat((mask.new_ones(batch, 2), mask), dim=1)
    is_beam = torch.zeros(p.shape[:2], dtype=p.dtype, device=p.device)
    is_beam[:, :2] = 1.0
    labels = torch.stack((1.0 - is_beam, is_beam), dim=-1)
    if scalars is not None:
        scalars = torch.cat((scalars.new_zeros(batch, 2, scalars.shape[-1]), scalars), dim=1)
        labels = torch.cat((labels, scalars), dim=-1)
    return p, mask, labels * mask[..., None]
