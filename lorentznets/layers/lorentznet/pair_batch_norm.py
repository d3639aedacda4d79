"""Training-mode batch norm of LorentzNet's edge pre-activation, from per-particle sums."""

from __future__ import annotations

import torch

from .masked_batch_norm import MaskedBatchNorm1d


def complete_graph_batch_norm(
    norm: MaskedBatchNorm1d,
    a: torch.Tensor,
    b: torch.Tensor,
    w_pair: torch.Tensor,
    pair: torch.Tensor,
    edges: torch.Tensor,
    mask: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Batch-normalise z_ij = a_i + b_j + pair_ij w over every ordered real pair, folded into a, b and w.

    The edges are all ordered pairs i != j of real particles of each set (``real_pairs(mask)``), so
    the batch mean and variance of z over the edges are sums over particles and sets: with
    centred parts a~, b~, p~ and d_i = n - 1 pairs per real particle of a set of n,

        sum_ij (z_ij - mean)^2 = sum_i d_i (a~_i^2 + b~_i^2) + diag(w^T C w)
                                 + 2 sum_sets (sum_i a~_i)(sum_j b~_j) - 2 sum_i a~_i b~_i
                                 + 2 sum_i (a~_i sum_j p~_ij + b~_i sum_j p~_ji) w,

    with C = sum_ij p~_ij p~_ij^T (2 x 2). No (edges, H) tensor is formed: the normalisation becomes
    a'_i + b'_j + pair_ij w' with per-particle a', b', and its backward pass is the autograd of these
    per-particle sums. The sums are taken in float64, which also spares them the cancellation of
    float32 sums over hundreds of thousands of edges. The running statistics of ``norm`` are
    updated as its own training-mode forward does (summed over DDP processes when synchronised).

    Parameters
    ----------
    norm : MaskedBatchNorm1d
        The batch norm (C = H channels) whose affine parameters and running statistics are used.
    a, b : torch.Tensor with shape (B * N, H)
        Receiver and sender parts of the pre-activation per particle (flat over the padded batch).
    w_pair : torch.Tensor with shape (2, H)
        Weights of the two pair features.
    pair : torch.Tensor with shape (E, 2)
        Pair features of the edges.
    edges : torch.Tensor with shape (2, E), int64
        ``real_pairs(mask)``: receiving and sending particle of each edge.
    mask : torch.Tensor with shape (B, N), bool
        The mask the edges were built from.

    Returns
    -------
    a, b : torch.Tensor with shape (B * N, H)
    w_pair : torch.Tensor with shape (2, H)
        Such that a_i + b_j + pair_ij w_pair is the normalised pre-activation, in the dtype of the
        edge sums (the promoted dtype of ``a`` and ``pair``).
    """
    batch, n = mask.shape
    hh = a.shape[1]
    f64 = torch.float64
    real = mask.to(f64)
    degree = (real * (real.sum(1, keepdim=True) - 1)).reshape(batch * n, 1)
    real = real.reshape(batch * n, 1)
    a64, b64, w64, p64 = a.to(f64), b.to(f64), w_pair.to(f64), pair.to(f64)
    sums = norm.sum_over_ranks(torch.cat(((degree * a64).sum(0), (degree * b64).sum(0), p64.sum(0), degree.sum(0))))
    count = sums[-1]
    mean_a, mean_b, mean_p = (sums[:-1] / count.clamp(min=1)).split((hh, hh, 2))
    ca, cb, cp = (a64 - mean_a) * real, (b64 - mean_b) * real, p64 - mean_p
    spread = (w64 * (cp.T @ cp @ w64)).sum(0)
    zeros = torch.zeros(batch * n, 2, dtype=f64, device=a.device)
    received, sent = (zeros.index_add(0, index, cp) @ w64 for index in edges)
    cross = (ca.view(batch, n, hh).sum(1) * cb.view(batch, n, hh).sum(1)).sum(0) - (ca * cb).sum(0)
    squares = (degree * (ca.square() + cb.square())).sum(0)
    linear = (ca * received + cb * sent).sum(0)
    var = (norm.sum_over_ranks(squares + spread + 2 * (cross + linear)) / count.clamp(min=1)).clamp(min=0)
    mean_pair = mean_p @ w64
    norm.track((mean_a + mean_b + mean_pair).detach(), var.detach(), count)
    scale = torch.rsqrt(var + norm.eps) * norm.weight.to(f64)
    dtype = torch.promote_types(a.dtype, pair.dtype)
    # each part centred on its own mean: no large means cancelling between a' and b' per edge
    a_out = (a64 - mean_a - mean_pair) * scale + norm.bias.to(f64)
    return a_out.to(dtype), ((b64 - mean_b) * scale).to(dtype), (w64 * scale).to(dtype)
