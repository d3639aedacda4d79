"""Batch normalisation over the real entries of padded data, without a host-device sync."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class MaskedBatchNorm(nn.BatchNorm1d):
    """BatchNorm over the last axis of (..., C) features with batch statistics from real entries.

    Same parameters and buffers as :class:`torch.nn.BatchNorm1d`. In training mode the mean and
    the (biased) variance are weighted sums over the entries where ``mask`` is True, so padded
    particles or pairs do not shift them; no boolean indexing, so no host-device sync and a fixed
    graph for ``torch.compile``. The running variance is updated with the unbiased estimate, as in
    torch. Without a mask it is torch's fused batch norm over the flattened entries (the same
    function; its backward takes about a third of the time of the weighted sums'). In evaluation
    mode it is the affine map with the running statistics.
    """

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:  # type: ignore[override]
        """Normalise.

        Parameters
        ----------
        x : torch.Tensor with shape (..., C)
        mask : torch.Tensor with shape (...), bool, optional
            None: every entry is real.

        Returns
        -------
        torch.Tensor with shape (..., C); padded entries are transformed too (callers mask them).
        """
        if not self.training:
            scale = torch.rsqrt(self.running_var + self.eps) * self.weight
            return torch.addcmul(self.bias - self.running_mean * scale, x, scale)
        flat = x.reshape(-1, x.shape[-1])
        if mask is None and flat.shape[0] > 1:
            self.num_batches_tracked.add_(1)
            return F.batch_norm(
                flat, self.running_mean, self.running_var, self.weight, self.bias, True, self.momentum, self.eps
            ).view_as(x)
        # weighted sums as matrix-vector products over the flattened entries: one pass each, no
        # masked copy of x; outside autocast and in at least float32, like torch's batch norm
        flat = flat.to(torch.promote_types(flat.dtype, torch.float32))
        if mask is None:
            count = torch.tensor(max(flat.shape[0], 2), dtype=flat.dtype, device=x.device)
            mean = flat.mean(dim=0)
            centred = flat - mean
            var = centred.square().sum(dim=0) / count
            rate: float | torch.Tensor = self.momentum
        else:
            weight = mask.reshape(-1).to(flat.dtype)
            real = weight.sum()
            count = real.clamp(min=2.0)
            with torch.autocast(flat.device.type, enabled=False):
                mean = (weight @ flat) / count
                centred = flat - mean
                var = (weight @ centred.square()) / count
            rate = (real > 0).to(self.running_mean.dtype) * self.momentum
        with torch.no_grad():
            # a batch without real entries keeps the statistics, as torch's batch norm does for an
            # empty one: no jet (a shape), or only padding (a zero rate, not a branch on the mask)
            self.num_batches_tracked.add_(1)
            if flat.shape[0]:
                self.running_mean.lerp_(mean.detach().to(self.running_mean.dtype), rate)
                var_unbiased = var.detach() * count / (count - 1)
                self.running_var.lerp_(var_unbiased.to(self.running_var.dtype), rate)
        return torch.addcmul(self.bias, centred, torch.rsqrt(var + self.eps) * self.weight).view_as(x)
