"""Packing the real particles of a padded batch by flat index, and scattering them back."""

from __future__ import annotations

import torch


def real_particles(mask: torch.Tensor) -> torch.Tensor:
    """Flat indices of the real particles, event after event.

    Reads the mask's values (a synchronisation on a GPU): call it on the host with the batch (a
    wrapper's ``host_inputs``), not in a net's ``forward``.

    Parameters
    ----------
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    torch.Tensor with shape (T,), int64
        ``b * N + i`` of every real particle i of event b.
    """
    return mask.flatten().nonzero().squeeze(1)


def unpack(packed: torch.Tensor, pack_index: torch.Tensor, batch: int, num: int) -> torch.Tensor:
    """Scatter packed rows back into a zero-padded batch (no value is read: sync-free).

    Parameters
    ----------
    packed : torch.Tensor with shape (T, C)
        Rows of the real particles, in the order of ``pack_index``.
    pack_index : torch.Tensor with shape (T,), int64
        From :func:`real_particles`.
    batch, num : int
        B and N of the padded batch.

    Returns
    -------
    torch.Tensor with shape (B, N, C)
    """
    out = packed.new_zeros(batch * num, packed.shape[-1]).index_copy(0, pack_index, packed)
    return out.view(batch, num, -1)
