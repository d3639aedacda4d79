"""Loss, decoders and metrics on topologies whose particles have 1, 2 and 3 products, against
hand-worked answers."""

import math

import numpy as np
import pytest
import torch

from lorentznets.assignment.count_bins import purity_by_particle_count
from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples
from lorentznets.assignment.loss import assignment_loss
from lorentznets.assignment.metrics import assignment_metrics
from lorentznets.assignment.topology import EventTopology


def _uniform(mask, orders):
    """Uniform log-probabilities over the valid tuples of each order."""
    out = []
    for order in orders:
        valid = valid_tuples(mask, order)
        count = valid.flatten(1).sum(1).double().view(-1, *([1] * order))
        out.append(torch.where(valid, -torch.log(count), torch.tensor(-math.inf, dtype=torch.float64)))
    return out


def test_topology_keeps_product_counts_and_clusters(semileptonic_tth_topology, allhadronic_tth_topology):
    topology = semileptonic_tth_topology
    assert [p.num_products for p in topology.particles] == [3, 1, 2]
    assert topology.num_products == 6
    assert topology.clusters == ((0,), (1,), (2,))
    assert topology.particles[1].symmetries == ((0,),)
    assert allhadronic_tth_topology.clusters == ((0, 1), (2,))


def test_symmetries_between_different_products_fail_at_parse():
    spec = {"INPUTS": {"SEQUENTIAL": {"Jets": {"pt": "none"}, "Leptons": {"pt": "none"}}}}
    spec["EVENT"] = {"ht": ["q1", "q2", "b"], "lt": ["b"]}
    spec["PERMUTATIONS"] = {"EVENT": [["ht", "lt"]]}
    with pytest.raises(ValueError, match="exchanges ht and lt, which have different decay products"):
        EventTopology.from_dict(spec)
    spec["EVENT"] = {"lt": ["b", {"l": "Leptons"}]}
    spec["PERMUTATIONS"] = {"lt": [["b", "l"]]}
    with pytest.raises(ValueError, match="PERMUTATIONS/lt exchanges .* different inputs"):
        EventTopology.from_dict(spec)
    spec["EVENT"] = {"lt": ["b", {"l": "Muons"}]}
    with pytest.raises(ValueError, match="EVENT/lt/l points to input 'Muons'"):
        EventTopology.from_dict(spec)
    spec["EVENT"] = {"lt": ["b", {"l": "Leptons"}], "ht": [{"b": "Jets"}, "q1", "q2"]}
    spec["PERMUTATIONS"] = {}
    topology = EventTopology.from_dict(spec)
    assert topology.particles[0].sources == (None, "Leptons")
    assert topology.particles[1].sources == ()  # all from the first input


def test_loss_on_uniform_and_peaked_predictions(semileptonic_tth_topology):
    mask = torch.ones(2, 6, dtype=torch.bool)
    log_probs = _uniform(mask, (3, 1, 2))
    targets = [torch.tensor([[0, 1, 2], [0, 1, 2]]), torch.tensor([[3], [3]]), torch.tensor([[4, 5], [4, -1]])]
    detection = torch.zeros(2, 3, dtype=torch.float64)
    loss, parts = assignment_loss(log_probs, detection, targets, semileptonic_tth_topology)
    # Uniform over 6*5*4, 6 and 6*5 tuples, orbits of size 2, 1 and 2: -log(2/120), -log(1/6),
    # -log(2/30) per reconstructable particle; event 1's Higgs is partial and does not count.
    expected = (2 * math.log(60) + 2 * math.log(6) + math.log(15)) / 5
    assert parts["assignment_loss"].item() == pytest.approx(expected, rel=1e-12)
    assert parts["detection_loss"].item() == pytest.approx(math.log(2), rel=1e-12)
    assert loss.item() == pytest.approx(expected + math.log(2), rel=1e-12)

    # All probability on the true orbit (both orders of the symmetric products): zero loss.
    peaked = [torch.full_like(lp, -math.inf) for lp in log_probs]
    peaked[0][:, 0, 1, 2] = peaked[0][:, 1, 0, 2] = math.log(0.5)
    peaked[1][:, 3] = 0.0
    peaked[2][:, 4, 5] = peaked[2][:, 5, 4] = math.log(0.5)
    _, parts = assignment_loss(peaked, detection, targets, semileptonic_tth_topology)
    assert parts["assignment_loss"].item() == pytest.approx(0.0, abs=1e-12)


def test_loss_takes_the_best_order_of_identical_particles(allhadronic_tth_topology):
    mask = torch.ones(1, 8, dtype=torch.bool)
    peaked = [torch.full_like(lp, -math.inf) for lp in _uniform(mask, (3, 3, 2))]
    peaked[0][:, 0, 1, 2] = peaked[0][:, 1, 0, 2] = math.log(0.5)
    peaked[1][:, 3, 4, 5] = peaked[1][:, 4, 3, 5] = math.log(0.5)
    peaked[2][:, 6, 7] = peaked[2][:, 7, 6] = math.log(0.5)
    # The file lists the tops the other way round: the symmetric loss is still zero.
    targets = [torch.tensor([[3, 4, 5]]), torch.tensor([[0, 1, 2]]), torch.tensor([[6, 7]])]
    detection = torch.full((1, 3), 20.0, dtype=torch.float64)
    _, parts = assignment_loss(peaked, detection, targets, allhadronic_tth_topology)
    assert parts["assignment_loss"].item() == pytest.approx(0.0, abs=1e-12)


def _conflicting_scores():
    """Six jets. The leptonic b is most sure of jet 2, which the hadronic top needs too."""
    n = 6
    lp = [torch.full((1,) + (n,) * k, -50.0, dtype=torch.float64) for k in (3, 1, 2)]
    lp[0][0, 0, 1, 2] = lp[0][0, 1, 0, 2] = -0.1
    lp[0][0, 0, 1, 3] = -3.0
    lp[1][0, 2] = -0.01
    lp[1][0, 5] = -2.0
    lp[2][0, 3, 4] = lp[2][0, 4, 3] = -0.2
    return lp


def test_decoders_on_one_two_and_three_products():
    lp = _conflicting_scores()
    mask = torch.ones(1, 6, dtype=torch.bool)
    valid = [valid_tuples(mask, k) for k in (3, 1, 2)]
    # Exact: top (0, 1, 2) -0.1, lepton b 5 -2.0, Higgs (3, 4) -0.2: total -2.3.
    tuples, assigned = exact_decode(lp, valid)
    assert assigned.all()
    assert sorted(tuples[0][0].tolist()[:2]) == [0, 1] and tuples[0][0, 2] == 2
    assert tuples[1][0].tolist() == [5]
    assert sorted(tuples[2][0].tolist()) == [3, 4]
    # Greedy: lepton b takes jet 2 (-0.01), then the Higgs (3, 4) (-0.2), the top gets what is left.
    tuples, assigned = greedy_decode(lp, valid)
    assert assigned.all()
    assert tuples[1][0].tolist() == [2]
    assert sorted(tuples[2][0].tolist()) == [3, 4]
    assert sorted(tuples[0][0].tolist()) == [0, 1, 5]


@pytest.mark.parametrize("decode", [greedy_decode, exact_decode])
def test_decoders_place_as_many_particles_as_four_jets_allow(decode):
    lp = _conflicting_scores()
    mask = torch.tensor([[True, True, True, True, False, False]])
    valid = [valid_tuples(mask, k) for k in (3, 1, 2)]
    lp = [torch.where(v, x, torch.tensor(-math.inf, dtype=torch.float64)) for x, v in zip(lp, valid)]
    tuples, assigned = decode(lp, valid)
    # 3 + 1 + 2 products do not fit into 4 jets; two particles do (top + lepton b or Higgs + b).
    assert int(assigned.sum()) == 2
    used = [j for p, t in enumerate(tuples) if assigned[0, p] for j in t[0].tolist()]
    assert len(used) == len(set(used)) and max(used) < 4


def _hand_worked_events():
    """Four events of semi-leptonic ttH (see the comments for what is right)."""
    targets = [
        np.array([[0, 1, 2], [0, 1, 2], [0, -1, 2], [-1, -1, -1]]),  # ht
        np.array([[3], [3], [5], [-1]]),  # lt
        np.array([[4, 5], [4, 5], [6, 7], [-1, -1]]),  # h
    ]
    predictions = [
        np.array([[1, 0, 2], [0, 1, 3], [0, 1, 2], [0, 1, 2]]),  # A right (q1<->q2), B wrong (2 jets right)
        np.array([[3], [2], [5], [3]]),  # A right, B wrong, C right
        np.array([[5, 4], [4, 5], [6, 7], [4, 5]]),  # A right, B right but not assigned, C right
    ]
    assigned = np.ones((4, 3), dtype=bool)
    assigned[1, 2] = False
    num_jets = np.array([7, 6, 8, 6])
    return predictions, assigned, targets, num_jets


def test_metrics_on_one_two_and_three_products(semileptonic_tth_topology):
    m = assignment_metrics(*_hand_worked_events(), semileptonic_tth_topology)
    # A: all right; B: nothing right (Higgs unassigned); C: top partial, lt and h right; D: empty.
    assert m["fraction_no_particle"] == 0.25
    assert m["num_events"] == 3
    assert m["event_purity"] == pytest.approx(2 / 3)
    assert m["particle_purity"] == pytest.approx(5 / 8)
    # Jets: A 6/6, B 2/6 (q1, q2 of the top), C 5/5 (the partial top's q1 and b too), D 0/0.
    assert m["jet_efficiency"] == pytest.approx(13 / 17)
    # Multiplicity bins start at the 6 products: B (6 jets), A (7), C (8).
    assert m["event_purity_njets6"] == 0.0 and m["event_purity_njets7"] == 1.0
    assert m["event_purity_njets8plus"] == 1.0
    assert m["event_purity_full"] == pytest.approx(1 / 2) and m["event_purity_partial"] == 1.0
    assert m["particle_purity.ht"] == pytest.approx(1 / 2)
    assert m["particle_purity.lt"] == pytest.approx(2 / 3)
    assert m["particle_purity.h"] == pytest.approx(2 / 3)


def test_purity_by_particle_count(semileptonic_tth_topology):
    predictions, assigned, targets, _ = _hand_worked_events()
    table = purity_by_particle_count(predictions, assigned, targets, semileptonic_tth_topology)
    # Hadronic top reconstructable (A, B): one right event of two.
    assert table["counts/ht_1/lt_any/h_any/event_proportion"] == 0.5
    assert table["counts/ht_1/lt_any/h_any/event_purity"] == 0.5
    assert table["counts/ht_1/lt_any/h_any/particle_purity.h"] == 0.5
    # Top not reconstructable but something else is (C): right.
    assert table["counts/ht_0/lt_any/h_any/event_purity"] == 1.0
    # Nothing reconstructable (D): SPANet counts the event as right.
    assert table["counts/ht_0/lt_0/h_0/event_proportion"] == 0.25
    assert table["counts/ht_0/lt_0/h_0/event_purity"] == 1.0
    assert np.isnan(table["counts/ht_0/lt_0/h_0/particle_purity.ht"])
    assert table["counts/ht_any/lt_any/h_any/event_purity"] == pytest.approx(2 / 3)


def test_purity_by_count_with_identical_tops(allhadronic_tth_topology):
    targets = [np.array([[0, 1, 2], [0, 1, 2]]), np.array([[3, 4, 5], [-1, 4, 5]]), np.array([[6, 7], [6, 7]])]
    # Event 0: the tops swapped (right), Higgs wrong; event 1: one top right, Higgs right.
    predictions = [np.array([[3, 4, 5], [1, 0, 2]]), np.array([[0, 1, 2], [3, 4, 5]]), np.array([[6, 5], [7, 6]])]
    table = purity_by_particle_count(predictions, np.ones((2, 3), bool), targets, allhadronic_tth_topology)
    assert table["counts/t1-t2_2/h_1/event_purity"] == 0.0
    assert table["counts/t1-t2_2/h_1/particle_purity.t1-t2"] == 1.0
    assert table["counts/t1-t2_1/h_1/event_purity"] == 1.0
    assert table["counts/t1-t2_any/h_any/particle_purity.h"] == 0.5
    assert table["counts/t1-t2_any/h_any/particle_purity.t1-t2"] == 1.0
