"""Batch normalisation whose statistics use only the real (unmasked) entries."""

from __future__ import annotations

import torch
from torch import nn


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm1d over the last dimension of (..., C) features, with statistics over real entries.

    Same parameters and buffers as :class:`torch.nn.BatchNorm1d` (so checkpoints map one to one);
    in training mode the batch mean and variance are taken only where ``mask`` is True, so padded
    particles or pairs do not shift the statistics. In evaluation mode it is the ordinary affine
    map with the running statistics.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """Normalise.

        Parameters
        ----------
        x : torch.Tensor with shape (..., C)
        mask : torch.Tensor with shape (...), bool

        Returns
        -------
        torch.Tensor with shape (..., C); padded entries are transformed too (callers mask them).
        """
        if self.training:
            values = x[mask]
            if values.shape[0] < 2:
                raise ValueError(
                    f"MaskedBatchNorm1d needs at least 2 real entries in training mode, got "
                    f"{values.shape[0]} (mask shape {tuple(mask.shape)})"
                )
            mean = values.mean(dim=0)
            var = values.var(dim=0, unbiased=False)
            with torch.no_grad():
                count = values.shape[0]
                self.num_batches_tracked += 1
                self.running_mean.lerp_(mean.detach(), self.momentum)
                self.running_var.lerp_(var.detach() * count / (count - 1), self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        scale = torch.rsqrt(var + self.eps) * self.weight
        return (x - mean) * scale + self.bias
