"""Turn per-particle joint log-probabilities into jet indices, never sharing a jet.

Two decoders:

* ``greedy_decode``: SPANet's procedure. Repeatedly take the most probable tuple among all
  particles still unassigned, then forbid its jets for the others. Vectorised over events.
* ``exact_decode``: maximise the sum of log-probabilities over assignments with disjoint jets, by
  branch and bound over the candidates of each particle sorted by score (numba, exact).

Both return an explicit ``assigned`` mask; a particle gets no tuple only when too few unused real
jets remain for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np
import torch


def _unravel(flat: torch.Tensor, n: int, order: int) -> torch.Tensor:
    digits = [(flat // n ** (order - 1 - m)) % n for m in range(order)]
    return torch.stack(digits, dim=-1)


def _uses_jet(used: torch.Tensor, order: int) -> torch.Tensor:
    """(B, N) -> (B, N, ..., N): True where any index of the tuple is an already used jet."""
    batch, n = used.shape
    out = torch.zeros((batch,) + (n,) * order, dtype=torch.bool, device=used.device)
    for axis in range(order):
        shape = [batch] + [1] * order
        shape[1 + axis] = n
        out = out | used.reshape(shape)
    return out


def greedy_decode(
    log_probs: Sequence[torch.Tensor], valid: Sequence[torch.Tensor]
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """SPANet's greedy decoding.

    Parameters
    ----------
    log_probs : sequence of torch.Tensor
        Per particle, shape (B, N, ..., N) with k_p jet axes.
    valid : sequence of torch.Tensor
        Per particle, bool of the same shape: the tuples that may be chosen at all.

    Returns
    -------
    assignments : list of torch.Tensor
        Per particle, shape (B, k_p) int64 jet indices (0 where not assigned: read ``assigned``).
    assigned : torch.Tensor with shape (B, P), bool
    """
    batch, n = log_probs[0].shape[:2]
    num = len(log_probs)
    device = log_probs[0].device
    used = torch.zeros(batch, n, dtype=torch.bool, device=device)
    assigned = torch.zeros(batch, num, dtype=torch.bool, device=device)
    out = [torch.zeros(batch, lp.dim() - 1, dtype=torch.long, device=device) for lp in log_probs]
    rows = torch.arange(batch, device=device)
    for _ in range(num):
        best_score = torch.zeros(batch, num, dtype=log_probs[0].dtype, device=device)
        best_index = torch.zeros(batch, num, dtype=torch.long, device=device)
        available = torch.zeros(batch, num, dtype=torch.bool, device=device)
        for p, (lp, ok) in enumerate(zip(log_probs, valid)):
            allowed = (ok & ~_uses_jet(used, lp.dim() - 1)).flatten(1) & ~assigned[:, p, None]
            scores = torch.where(allowed, lp.flatten(1), torch.zeros_like(lp.flatten(1)))
            # Rank allowed tuples first, then by score, without mixing in a sentinel value.
            order_key = torch.stack([allowed.to(scores.dtype), scores], -1)
            flat = _lexicographic_argmax(order_key)
            best_index[:, p] = flat
            best_score[:, p] = scores[rows, flat]
            available[:, p] = allowed.any(1)
        if not available.any():
            break
        key = torch.stack([available.to(best_score.dtype), best_score], -1)
        choice = _lexicographic_argmax(key)
        take = available[rows, choice]
        for p, lp in enumerate(log_probs):
            order = lp.dim() - 1
            pick = take & (choice == p)
            tuple_ = _unravel(best_index[:, p], n, order)
            out[p] = torch.where(pick[:, None], tuple_, out[p])
            assigned[:, p] |= pick
            used |= pick[:, None] & torch.zeros_like(used).scatter(1, tuple_, True)
    return out, assigned


def _lexicographic_argmax(key: torch.Tensor) -> torch.Tensor:
    """argmax over dim 1 of (B, M, 2) keys compared first on [..., 0], then on [..., 1]."""
    primary = key[..., 0]
    top = primary.amax(1, keepdim=True)
    secondary = torch.where(primary == top, key[..., 1], key[..., 1].amin(1, keepdim=True) - 1)
    return secondary.argmax(1)


def exact_decode(
    log_probs: Sequence[torch.Tensor], valid: Sequence[torch.Tensor]
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Assignment with the largest total log-probability among those with disjoint jets.

    Every particle gets a tuple when enough jets exist; otherwise the best assignment of a maximal
    number of particles is returned. Same arguments and returns as ``greedy_decode``.
    """
    n = log_probs[0].shape[1]
    orders = np.array([lp.dim() - 1 for lp in log_probs], dtype=np.int64)
    scores = numba.typed.List([lp.detach().flatten(1).double().cpu().numpy() for lp in log_probs])
    masks = numba.typed.List([v.flatten(1).cpu().numpy() for v in valid])
    tuples, assigned = _exact_kernel(scores, masks, orders, n)
    device = log_probs[0].device
    out = []
    for p, order in enumerate(orders):
        out.append(torch.from_numpy(tuples[:, p, :order].copy()).to(device))
    return out, torch.from_numpy(assigned).to(device)


@numba.njit(cache=True)
def _candidates(score_row, mask_row, order, n):
    count = 0
    for flat in range(mask_row.shape[0]):
        if mask_row[flat]:
            count += 1
    jets = np.empty((count, order), dtype=np.int64)
    values = np.empty(count, dtype=np.float64)
    c = 0
    for flat in range(mask_row.shape[0]):
        if mask_row[flat]:
            rest = flat
            for m in range(order - 1, -1, -1):
                jets[c, m] = rest % n
                rest //= n
            values[c] = score_row[flat]
            c += 1
    ranking = np.argsort(-values)
    return jets[ranking], values[ranking]


@numba.njit(cache=True)
def _best_assignment(num, cand_jets, cand_vals, n):
    """Iterative branch and bound: maximise (particles placed, total score) lexicographically."""
    best_first = np.zeros(num + 1)  # suffix sums of each particle's best score (all placed)
    best_any = np.zeros(num + 1)  # suffix sums of max(best score, 0) (any subset placed)
    for p in range(num - 1, -1, -1):
        top = cand_vals[p][0] if cand_vals[p].shape[0] > 0 else 0.0
        best_first[p] = best_first[p + 1] + top
        best_any[p] = best_any[p + 1] + max(top, 0.0)
    used = np.zeros(n, dtype=np.bool_)
    pos = np.full(num + 1, -1, dtype=np.int64)
    total = np.zeros(num + 1)
    placed = np.zeros(num + 1, dtype=np.int64)
    best_choice = np.full(num, -1, dtype=np.int64)
    best_placed, best_total = -1, -np.inf
    p = 0
    while p >= 0:
        if p == num:
            if placed[num] > best_placed or (placed[num] == best_placed and total[num] > best_total):
                best_placed, best_total = placed[num], total[num]
                best_choice[:] = pos[:num]
            p -= 1
            continue
        jets_p, vals_p = cand_jets[p], cand_vals[p]
        count = vals_p.shape[0]
        if 0 <= pos[p] < count:
            for m in range(jets_p.shape[1]):
                used[jets_p[pos[p], m]] = False
        c = pos[p] + 1
        if placed[p] + num - p < best_placed:
            c = count + 1
        while c < count:
            rest = best_first[p + 1] if best_placed == num else best_any[p + 1]
            if placed[p] + num - p == best_placed and total[p] + vals_p[c] + rest <= best_total:
                c = count  # sorted scores: no later candidate can win either
                break
            free = True
            for m in range(jets_p.shape[1]):
                if used[jets_p[c, m]]:
                    free = False
                    break
            if free:
                break
            c += 1
        if c == count and placed[p] + num - p - 1 < best_placed:
            c = count + 1
        if c == count and placed[p] + num - p - 1 == best_placed and total[p] + best_any[p + 1] <= best_total:
            c = count + 1
        pos[p] = c
        if c < count:
            for m in range(jets_p.shape[1]):
                used[jets_p[c, m]] = True
            total[p + 1] = total[p] + vals_p[c]
            placed[p + 1] = placed[p] + 1
        elif c == count:
            total[p + 1] = total[p]
            placed[p + 1] = placed[p]
        else:
            pos[p] = -1
            p -= 1
            continue
        p += 1
        if p < num:
            pos[p] = -1
    for p in range(num):
        if best_choice[p] >= cand_vals[p].shape[0]:
            best_choice[p] = -1
    return best_choice


@numba.njit(cache=True)
def _exact_kernel(scores, masks, orders, n):
    num = len(scores)
    batch = scores[0].shape[0]
    max_order = 0
    for p in range(num):
        max_order = max(max_order, orders[p])
    tuples = np.zeros((batch, num, max_order), dtype=np.int64)
    assigned = np.zeros((batch, num), dtype=np.bool_)
    for b in range(batch):
        cand_jets = numba.typed.List()
        cand_vals = numba.typed.List()
        for p in range(num):
            jets, vals = _candidates(scores[p][b], masks[p][b], orders[p], n)
            cand_jets.append(jets)
            cand_vals.append(vals)
        best_choice = _best_assignment(num, cand_jets, cand_vals, n)
        for p in range(num):
            c = best_choice[p]
            if c >= 0:
                assigned[b, p] = True
                for m in range(orders[p]):
                    tuples[b, p, m] = cand_jets[p][c, m]
    return tuples, assigned
