"""Edge list of the real particle pairs of a padded batch, built at the data boundary."""

from __future__ import annotations

import torch


def real_pairs(mask: torch.Tensor) -> torch.Tensor:
    """Every ordered pair (i, j), i != j, of real particles of each set, as flat particle indices.

    LorentzNet (and LGN) pass messages over these pairs only, so their cost follows the number of
    real pairs, sum_b n_b (n_b - 1), instead of B N^2 for N padding slots. The number of pairs
    depends on the mask values, so building the list reads them on the host (a device sync): call
    it where the batch is assembled (collate function, data loader, evaluation loop), not inside a
    network's ``forward``.

    Parameters
    ----------
    mask : torch.Tensor with shape (B, N), bool
        True for real particles.

    Returns
    -------
    torch.Tensor with shape (2, E), int64, on the device of ``mask``
        Receiving particle ``b * N + i`` (row 0) and sending particle ``b * N + j`` (row 1), sorted
        by receiver, with E = sum_b n_b (n_b - 1).

    Examples
    --------
    >>> real_pairs(torch.tensor([[True, True, False], [True, False, False]]))
    tensor([[0, 1],
            [1, 0]])
    """
    if mask.dim() != 2 or mask.dtype != torch.bool:
        raise ValueError(f"real_pairs: mask must be bool with shape (B, N), got {mask.dtype} {tuple(mask.shape)}")
    n = mask.shape[1]
    pair = mask[:, :, None] & mask[:, None, :]
    pair &= ~torch.eye(n, dtype=torch.bool, device=mask.device)
    flat = pair.flatten().nonzero().squeeze(1)  # b N^2 + i N + j
    return torch.stack((flat // n, flat // (n * n) * n + flat % n))
