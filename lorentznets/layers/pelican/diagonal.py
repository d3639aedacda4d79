"""Adding particle features to the self-pairs (i, i) of pair features."""

from __future__ import annotations

import torch


def add_to_diagonal(pairs: torch.Tensor, diagonal: torch.Tensor) -> torch.Tensor:
    """``pairs[:, i, i] += diagonal[:, i]``, in place.

    In an ONNX export the sum is formed out of place (same values): torch's exporter drops writes
    into a diagonal view.

    Parameters
    ----------
    pairs : torch.Tensor with shape (B, N, N, C)
    diagonal : torch.Tensor with shape (B, N, C)

    Returns
    -------
    torch.Tensor with shape (B, N, N, C)
        ``pairs`` itself, or a new tensor in an ONNX export.
    """
    if torch.onnx.is_in_onnx_export():
        self_pairs = torch.eye(pairs.shape[1], dtype=torch.bool, device=pairs.device)[..., None]
        return pairs + torch.where(self_pairs, diagonal[:, :, None, :], 0.0)
    pairs.diagonal(dim1=1, dim2=2).add_(diagonal.transpose(1, 2))
    return pairs
