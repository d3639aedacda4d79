"""The edge pre-activation a_i + b_j + pair_ij w of LorentzNet, written once per edge."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ...utils.value_sized import in_functorch_transform


def edge_sum(a: torch.Tensor, b: torch.Tensor, w_pair: torch.Tensor, pair: torch.Tensor, edges: torch.Tensor):
    """z_e = a_i + b_j + pair_e w for every edge e = (i, j), in one pass over the (E, H) output.

    The forward pass is one :func:`torch.nn.functional.embedding_bag` over the table [a; b; w]:
    each edge is a bag of the rows i, N + j, 2N, 2N + 1 with weights 1, 1, pair_e. Gathering and
    adding in separate kernels writes and re-reads the (E, H) tensor three times. The backward pass
    scatter-adds the gradient (``index_add``) instead of embedding_bag's own sort-based backward,
    which is several times slower on the CPU; it is itself differentiable (second derivatives).
    Under ``torch.func`` transforms the sum is gathered and added (vmap has no batching rule for
    embedding_bag, forward mode no rule for the Function).

    Parameters
    ----------
    a, b : torch.Tensor with shape (N, H)
        Receiver and sender parts per particle.
    w_pair : torch.Tensor with shape (2, H)
    pair : torch.Tensor with shape (E, 2)
        Pair features of the edges.
    edges : torch.Tensor with shape (2, E), int64
        Receiving and sending particle of each edge (rows of ``a`` and ``b``).

    Returns
    -------
    torch.Tensor with shape (E, H), in the promoted dtype of the inputs.
    """
    dtype = torch.promote_types(torch.promote_types(a.dtype, b.dtype), torch.promote_types(w_pair.dtype, pair.dtype))
    a, b, w_pair, pair = a.to(dtype), b.to(dtype), w_pair.to(dtype), pair.to(dtype)
    if in_functorch_transform():
        return a[edges[0]] + b[edges[1]] + pair @ w_pair
    return _EdgeSum.apply(a, b, w_pair, pair, edges)


class _EdgeSum(torch.autograd.Function):
    """Autograd of :func:`edge_sum`: embedding_bag forward, index_add backward."""

    @staticmethod
    def forward(a: torch.Tensor, b: torch.Tensor, w_pair: torch.Tensor, pair: torch.Tensor, edges: torch.Tensor):
        n = a.shape[0]
        receiver, sender = edges[0], edges[1]
        pair_row = torch.full_like(receiver, 2 * n)  # the rows of w_pair follow a and b in the table
        bags = torch.stack((receiver, sender + n, pair_row, pair_row + 1), 1)
        weights = torch.cat((torch.ones_like(pair), pair), 1)
        return F.embedding_bag(bags, torch.cat((a, b, w_pair)), mode="sum", per_sample_weights=weights)

    @staticmethod
    def setup_context(ctx, inputs, output) -> None:
        a, _, w_pair, pair, edges = inputs
        ctx.save_for_backward(w_pair, pair, edges)
        ctx.rows = a.shape[0]

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        w_pair, pair, edges = ctx.saved_tensors
        needs = ctx.needs_input_grad
        zeros = grad.new_zeros(ctx.rows, grad.shape[1])
        grad_a = zeros.index_add(0, edges[0], grad) if needs[0] else None
        grad_b = zeros.index_add(0, edges[1], grad) if needs[1] else None
        grad_w = pair.T @ grad if needs[2] else None
        grad_pair = grad @ w_pair.T if needs[3] else None
        return grad_a, grad_b, grad_w, grad_pair, None
