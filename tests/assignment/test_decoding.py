import itertools

import numpy as np
import torch

from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples


def _random_log_probs(batch, n, orders, seed=0):
    gen = torch.Generator().manual_seed(seed)
    mask = torch.ones(batch, n, dtype=torch.bool)
    mask[: batch // 3, 6:] = False
    mask[batch // 3 : batch // 3 + 3, 4:] = False
    log_probs, valid = [], []
    for order in orders:
        v = valid_tuples(mask, order)
        s = torch.randn((batch,) + (n,) * order, generator=gen, dtype=torch.float64).masked_fill(~v, -torch.inf)
        norm = torch.logsumexp(s.flatten(1), 1)
        log_probs.append(s - torch.where(torch.isfinite(norm), norm, 0).view(-1, *([1] * order)))
        valid.append(v)
    return log_probs, valid


def _check_no_shared_jet(tuples, assigned):
    for b in range(assigned.shape[0]):
        jets = [j for p, t in enumerate(tuples) if assigned[b, p] for j in t[b].tolist()]
        assert len(jets) == len(set(jets))


def test_decoders_never_reuse_jets():
    log_probs, valid = _random_log_probs(60, 8, (3, 3, 2))
    for decode in (greedy_decode, exact_decode):
        tuples, assigned = decode(log_probs, valid)
        _check_no_shared_jet(tuples, assigned)
        for p, t in enumerate(tuples):
            ok = valid[p].flatten(1).gather(1, (t * torch.tensor([64, 8, 1][-t.shape[1] :])).sum(1, keepdim=True))
            assert ok.squeeze(1)[assigned[:, p]].all()


def test_exact_decoder_is_optimal_against_brute_force():
    log_probs, valid = _random_log_probs(30, 7, (3, 3))
    tuples, assigned = exact_decode(log_probs, valid)
    greedy, greedy_assigned = greedy_decode(log_probs, valid)
    for b in range(30):
        cands = [[tuple(ix) for ix in valid[p][b].nonzero().tolist()] + [None] for p in range(2)]
        best = (-1, -np.inf)
        for choice in itertools.product(*cands):
            jets = [j for c in choice if c for j in c]
            if len(jets) != len(set(jets)):
                continue
            total = sum(log_probs[p][b][c].item() for p, c in enumerate(choice) if c)
            value = (sum(c is not None for c in choice), total)
            best = max(best, value)
        got = sum(log_probs[p][b][tuple(tuples[p][b].tolist())].item() for p in range(2) if assigned[b, p])
        assert int(assigned[b].sum()) == best[0]
        assert abs(got - best[1]) < 1e-9
        greedy_value = sum(
            log_probs[p][b][tuple(greedy[p][b].tolist())].item() for p in range(2) if greedy_assigned[b, p]
        )
        assert greedy_value <= got + 1e-12


def test_greedy_takes_most_confident_particle_first():
    n = 6
    lp = [torch.full((1, n, n, n), -50.0, dtype=torch.float64) for _ in range(2)]
    valid = [valid_tuples(torch.ones(1, n, dtype=torch.bool), 3)] * 2
    lp[0][0, 0, 1, 2] = -0.1
    lp[1][0, 0, 1, 2] = -0.01  # particle 2 is more confident about the same jets
    lp[0][0, 3, 4, 5] = -1.0
    tuples, assigned = greedy_decode(lp, valid)
    assert tuples[1][0].tolist() == [0, 1, 2] and tuples[0][0].tolist() == [3, 4, 5]
    assert assigned.all()
