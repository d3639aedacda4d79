"""Batch normalisation whose statistics use only the real (unmasked) entries."""

from __future__ import annotations

import torch
from torch import nn


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """BatchNorm1d over the last dimension of (..., C) features, with statistics over real entries.

    Same parameters and buffers as :class:`torch.nn.BatchNorm1d` (so checkpoints map one to one);
    in training mode the batch mean and variance are taken only where ``mask`` is True, so padded
    particles or pairs do not shift the statistics. In evaluation mode it is the ordinary affine
    map with the running statistics. The masked statistics are weighted sums, not a boolean
    selection, so the layer never reads values on the host (no device sync) and compiles into one
    graph. A batch without real entries leaves the running statistics unchanged; with one real
    entry the running variance takes the biased estimate (zero) instead of the unbiased one.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:  # type: ignore[override]
        """Normalise.

        Parameters
        ----------
        x : torch.Tensor with shape (..., C)
        mask : torch.Tensor with shape (...), bool, optional
            True for real entries; None when every entry is real (e.g. an edge list of real pairs),
            which uses the fused :func:`torch.nn.functional.batch_norm` on (M, C).

        Returns
        -------
        torch.Tensor with shape (..., C); padded entries are transformed too (callers mask them).
        """
        if mask is None:
            flat = x.reshape(-1, x.shape[-1])
            return super().forward(flat).reshape(x.shape)
        if self.training:
            weight = mask[..., None].to(x.dtype)
            dims = tuple(range(x.dim() - 1))
            count = weight.sum()
            mean = (x * weight).sum(dim=dims) / count.clamp(min=1)
            var = ((x - mean).square() * weight).sum(dim=dims) / count.clamp(min=1)
            with torch.no_grad():
                self.num_batches_tracked += 1
                step = self.momentum * (count > 0).to(x.dtype)
                self.running_mean.lerp_(mean.detach(), step)
                self.running_var.lerp_(var.detach() * count / (count - 1).clamp(min=1), step)
        else:
            mean, var = self.running_mean, self.running_var
        scale = torch.rsqrt(var + self.eps) * self.weight
        return (x - mean) * scale + self.bias

    def folded_affine(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The evaluation-mode map as ``x * scale + shift``, to fold into a preceding linear layer.

        Returns
        -------
        scale, shift : torch.Tensor with shape (C,)
        """
        scale = torch.rsqrt(self.running_var + self.eps) * self.weight
        return scale, self.bias - self.running_mean * scale
