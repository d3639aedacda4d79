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
    graph. With ``synchronise`` set (:func:`synchronise_batch_norm`, done by the trainer under DDP),
    the statistics are summed over all processes, so a distributed training computes what a
    single process with the whole batch computes and the running statistics agree on every rank.
    A batch without real entries leaves the running statistics unchanged; with one real
    entry the running variance takes the biased estimate (zero) instead of the unbiased one.
    """

    synchronise: bool = False
    """Batch statistics over the real entries of all DDP processes (see :func:`synchronise_batch_norm`)."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:  # type: ignore[override]
        """Normalise.

        Parameters
        ----------
        x : torch.Tensor with shape (..., C)
        mask : torch.Tensor with shape (...), bool, optional
            True for real entries; None when every entry is real.

        Returns
        -------
        torch.Tensor with shape (..., C); padded entries are transformed too (callers mask them).
        """
        if self.training:
            x = x.to(torch.promote_types(x.dtype, torch.float32))  # statistics in float32, as torch's
            weight = torch.ones_like(x[..., :1]) if mask is None else mask[..., None].to(x.dtype)
            dims = tuple(range(x.dim() - 1))
            count = self.sum_over_ranks(weight.sum().reshape(1))[0]
            mean = self.sum_over_ranks((x * weight).sum(dim=dims)) / count.clamp(min=1)
            var = self.sum_over_ranks(((x - mean).square() * weight).sum(dim=dims)) / count.clamp(min=1)
            self.track(mean.detach(), var.detach(), count)
        else:
            mean, var = self.running_mean, self.running_var
        scale = torch.rsqrt(var + self.eps) * self.weight
        return (x - mean) * scale + self.bias

    def sum_over_ranks(self, value: torch.Tensor) -> torch.Tensor:
        """``value`` summed over the DDP processes when synchronised (differentiable), else itself."""
        if not self.synchronise:
            return value
        return all_reduce_with_gradient(value)

    @torch.no_grad()
    def track(self, mean: torch.Tensor, var: torch.Tensor, count: torch.Tensor) -> None:
        """Update the running statistics with one batch's biased ``mean`` and ``var`` (C,) over ``count`` entries.

        A batch of no entries leaves them unchanged; the running variance takes the unbiased estimate.
        """
        self.num_batches_tracked += 1
        step = self.momentum * (count > 0).to(self.running_mean.dtype)
        self.running_mean.lerp_(mean.to(self.running_mean.dtype), step)
        unbiased = var * count / (count - 1).clamp(min=1)
        self.running_var.lerp_(unbiased.to(self.running_var.dtype), step)

    def folded_affine(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The evaluation-mode map as ``x * scale + shift``, to fold into a preceding linear layer.

        Returns
        -------
        scale, shift : torch.Tensor with shape (C,)
        """
        scale = torch.rsqrt(self.running_var + self.eps) * self.weight
        return scale, self.bias - self.running_mean * scale


def all_reduce_with_gradient(value: torch.Tensor) -> torch.Tensor:
    """Sum over the processes of the default group, differentiable (gradients are summed too).

    torch's functional collective, which its deprecated ``torch.distributed.nn.functional.all_reduce``
    points to (that one warned once per process and refused ``torch.compile``)."""
    from torch.distributed import _functional_collectives as collectives
    from torch.distributed import group

    return collectives.all_reduce(value, "sum", group.WORLD)


def synchronise_batch_norm(model: nn.Module) -> int:
    """Switch every :class:`MaskedBatchNorm1d` in ``model`` to statistics over all DDP processes.

    Call it after ``torch.distributed`` is initialised and before wrapping the model in DDP; every
    process must then run the same number of training forward passes (it does: the batches are
    split evenly).

    Returns
    -------
    int
        Number of layers switched.
    """
    layers = [module for module in model.modules() if isinstance(module, MaskedBatchNorm1d)]
    for layer in layers:
        layer.synchronise = True
    return len(layers)
