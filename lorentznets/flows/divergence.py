"""Divergence of a vector field: exact (one backward pass per dimension) or Hutchinson estimate."""

import torch

__all__ = ["exact_divergence", "hutchinson_divergence"]


def exact_divergence(v: torch.Tensor, x: torch.Tensor, create_graph: bool = False) -> torch.Tensor:
    """Exact divergence ``sum_i dv_i/dx_i`` per event.

    Parameters
    ----------
    v : torch.Tensor with shape (B, *event_shape)
        Field evaluated at ``x``; each event's field must depend only on that event's ``x``.
    x : torch.Tensor with shape (B, *event_shape)
        Points, with ``requires_grad`` set before ``v`` was computed.
    create_graph : bool
        Keep the graph of the result (for training through the divergence). Needs a field that
        is twice differentiable; torch's fused attention kernels are not (the Notes of
        :class:`~lorentznets.nets.LGATr` say how to run without them).

    Returns
    -------
    torch.Tensor with shape (B,)
    """
    div = torch.zeros(v.shape[0], dtype=v.dtype, device=v.device)
    if not v.requires_grad:
        return div
    v_flat = v.flatten(1)
    for i in range(v_flat.shape[1]):
        (grad,) = torch.autograd.grad(
            v_flat[:, i].sum(), x, create_graph=create_graph, retain_graph=True, allow_unused=True
        )
        if grad is not None:
            div = div + grad.flatten(1)[:, i]
    return div


def hutchinson_divergence(
    v: torch.Tensor,
    x: torch.Tensor,
    noise: torch.Tensor,
    create_graph: bool = False,
) -> torch.Tensor:
    """Unbiased Hutchinson estimate ``eps^T (dv/dx) eps`` of the divergence.

    Parameters
    ----------
    v : torch.Tensor with shape (B, *event_shape)
        Field evaluated at ``x``.
    x : torch.Tensor with shape (B, *event_shape)
        Points, with ``requires_grad`` set before ``v`` was computed.
    noise : torch.Tensor with shape (B, *event_shape)
        Probe vectors with zero mean and unit covariance (Rademacher or Gaussian); keep them fixed
        along one ODE trajectory so the estimate of the integrated divergence stays unbiased.
    create_graph : bool
        Keep the graph of the result. Needs a field that is twice differentiable, as for
        :func:`exact_divergence`.

    Returns
    -------
    torch.Tensor with shape (B,)
    """
    if not v.requires_grad:
        return torch.zeros(v.shape[0], dtype=v.dtype, device=v.device)
    (vjp,) = torch.autograd.grad(v, x, grad_outputs=noise, create_graph=create_graph, allow_unused=True)
    if vjp is None:
        return torch.zeros(v.shape[0], dtype=v.dtype, device=v.device)
    return (vjp * noise).flatten(1).sum(dim=1)
