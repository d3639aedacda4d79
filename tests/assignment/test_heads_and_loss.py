import math

import torch

from lorentznets.assignment.heads import SymmetricTensorAttention, valid_tuples
from lorentznets.assignment.loss import assignment_loss
from lorentznets.assignment.model import AssignmentHeads


def _jets(batch=4, n=8, d=16, seed=0):
    gen = torch.Generator().manual_seed(seed)
    jets = torch.randn(batch, n, d, generator=gen, dtype=torch.float64)
    mask = torch.ones(batch, n, dtype=torch.bool)
    mask[0, 6:] = False
    return jets, mask


def test_valid_tuples_distinct_and_real():
    mask = torch.tensor([[1, 1, 1, 0]], dtype=torch.bool)
    valid = valid_tuples(mask, 3)
    assert valid.sum() == 6  # 3 real jets, ordered distinct triples
    assert not valid[0, 0, 0, 1] and not valid[0, 0, 1, 3]


def test_head_symmetric_under_light_quark_swap_and_normalised():
    torch.manual_seed(0)
    head = SymmetricTensorAttention(16, ((0, 1, 2), (1, 0, 2))).double()
    jets, mask = _jets()
    log_probs, valid = head(jets, mask)
    assert log_probs.shape == (4, 8, 8, 8)
    finite = torch.isfinite(log_probs)
    assert torch.equal(finite, valid)
    # exactly symmetric (the mean over the symmetry group); a 1e-4 asymmetry passed allclose
    torch.testing.assert_close(log_probs[finite], log_probs.transpose(1, 2)[finite], rtol=0, atol=1e-12)
    total = torch.logsumexp(log_probs.flatten(1), 1)
    assert torch.allclose(total, torch.zeros(4, dtype=torch.float64), atol=1e-12)
    # Without the symmetry, the same architecture is not symmetric: the test can fail.
    plain = SymmetricTensorAttention(16, ((0, 1, 2),)).double()
    lp = plain(jets, mask)[0]
    assert not torch.allclose(lp[finite], lp.transpose(1, 2)[finite])


def test_head_equivariant_under_jet_permutation():
    head = SymmetricTensorAttention(16, ((0, 1, 2), (1, 0, 2))).double()
    jets, mask = _jets()
    perm = torch.randperm(8, generator=torch.Generator().manual_seed(3))
    lp = head(jets, mask)[0]
    lp_perm = head(jets[:, perm], mask[:, perm])[0]
    expected = lp[:, perm][:, :, perm][:, :, :, perm]
    assert torch.equal(torch.isfinite(lp_perm), torch.isfinite(expected))
    finite = torch.isfinite(expected)
    assert torch.allclose(lp_perm[finite], expected[finite], atol=1e-12)


def test_loss_minimum_over_event_permutations(ttbar_topology):
    heads = AssignmentHeads(ttbar_topology, 16).double()
    jets, mask = _jets(batch=3)
    log_probs, detection = heads(jets, mask)
    t1 = torch.tensor([[0, 1, 2], [3, 4, 5], [0, 1, -1]])
    t2 = torch.tensor([[3, 4, 5], [0, 1, 2], [2, 3, 4]])
    # Equal detection logits make the detection loss the same for both particle orders.
    detection = torch.zeros_like(detection) + detection.mean()
    loss, parts = assignment_loss(log_probs, detection, [t1, t2], ttbar_topology)
    swapped, _ = assignment_loss(log_probs, detection, [t2, t1], ttbar_topology)
    assert torch.allclose(loss, swapped)

    def nll(p, t, b):
        return -(log_probs[p][b][tuple(t[b].tolist())] + math.log(2))

    per_event = [torch.minimum(nll(0, t1, b) + nll(1, t2, b), nll(0, t2, b) + nll(1, t1, b)) for b in range(2)]
    # Event 2: only t2 is reconstructable; either head may take it.
    per_event.append(torch.minimum(nll(1, t2, 2), nll(0, t2, 2)))
    expected = sum(per_event) / 5
    assert torch.allclose(parts["assignment_loss"], expected.detach())
    # Swapping q1<->q2 in a target leaves the loss unchanged.
    t1_swapped = t1[:, [1, 0, 2]]
    loss_swapped, _ = assignment_loss(log_probs, detection, [t1_swapped, t2], ttbar_topology)
    assert torch.allclose(loss, loss_swapped)
    loss.backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in heads.parameters() if p.requires_grad)


def test_perfect_prediction_has_zero_assignment_loss(ttbar_topology):
    n = 6
    target = [torch.tensor([[0, 1, 2]]), torch.tensor([[3, 4, 5]])]
    log_probs = []
    for t in target:
        lp = torch.full((1, n, n, n), float("-inf"), dtype=torch.float64)
        a, b, c = t[0].tolist()
        lp[0, a, b, c] = lp[0, b, a, c] = math.log(0.5)
        log_probs.append(lp)
    detection = torch.full((1, 2), 50.0, dtype=torch.float64)
    loss, parts = assignment_loss(log_probs, detection, target, ttbar_topology)
    assert abs(parts["assignment_loss"].item()) < 1e-12


def test_two_ranks_average_to_the_whole_batch_assignment_loss(ttbar_topology):
    """With the divisor the mean over the ranks of the present particles (the experiment's
    shard_normaliser of the counts), the ranks' mean loss is the whole batch's, also where one rank
    holds the batch's only present particle (a divisor of 1/2, which the old clamp to 1 made 1,
    halving that rank's loss)."""
    heads = AssignmentHeads(ttbar_topology, 16).double()
    jets, mask = _jets(batch=2)
    log_probs, detection = heads(jets, mask)
    t1 = torch.tensor([[0, 1, 2], [0, 1, -1]])
    t2 = torch.tensor([[3, 4, -1], [2, 3, -1]])  # event 0: t1 present; event 1: nothing present
    whole, _ = assignment_loss(log_probs, detection, [t1, t2], ttbar_topology)
    mean_count = torch.tensor(0.5, dtype=torch.float64)  # (1 + 0) present particles over 2 ranks
    ranks = [
        assignment_loss([lp[r] for lp in log_probs], detection[r], [t1[r], t2[r]], ttbar_topology, divisor=mean_count)
        for r in (slice(0, 1), slice(1, 2))
    ]
    torch.testing.assert_close(sum(loss for loss, _ in ranks) / 2, whole, rtol=1e-12, atol=1e-12)
