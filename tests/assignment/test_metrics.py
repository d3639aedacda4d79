import numpy as np

from lorentznets.assignment.metrics import aligned_predictions, assignment_metrics


def test_purities_with_symmetries(ttbar_topology):
    targets = [
        np.array([[0, 1, 2], [0, 1, 2], [0, 1, -1], [-1, 1, 2]]),
        np.array([[3, 4, 5], [3, 4, 5], [3, 4, 5], [3, -1, 5]]),
    ]
    predictions = [
        np.array([[4, 3, 5], [0, 1, 2], [0, 1, 2], [0, 1, 2]]),  # event 0: t1/t2 swapped,
        np.array([[1, 0, 2], [3, 5, 4], [4, 3, 5], [3, 4, 5]]),
    ]  # q1<->q2 swapped
    assigned = np.ones((4, 2), dtype=bool)
    num_jets = np.array([6, 7, 8, 6])
    m = assignment_metrics(predictions, assigned, targets, num_jets, ttbar_topology)
    # Event 0 right (symmetries), event 1 wrong (b and q2 mixed up in t2), event 2: only t2
    # reconstructable and right; event 3: nothing reconstructable -> reported apart.
    assert m["fraction_no_particle"] == 0.25
    assert m["num_events"] == 3
    assert np.isclose(m["event_purity"], 2 / 3)
    assert np.isclose(m["particle_purity"], 4 / 5)
    assert np.isclose(m["event_purity_njets6"], 1.0)
    assert np.isclose(m["event_purity_njets7"], 0.0)
    assert np.isclose(m["event_purity_full"], 0.5)
    assert np.isclose(m["event_purity_partial"], 1.0)
    # Jets: 6 + 4 (one of three in t2 right? q1 right, q2/b wrong -> 1) ... counted explicitly:
    # event0 6/6, event1 3+1=4/6, event2 t1 2/2 + t2 3/3, event3 t1 2/2 + t2 2/2 (partons matched).
    assert np.isclose(m["jet_efficiency"], (6 + 4 + 5 + 4) / (6 + 6 + 5 + 4))


def test_aligned_predictions_follow_the_best_event_permutation(ttbar_topology):
    """Event 0 predicts t1's jets in t2's slot and the other way round; event 1 in place;
    event 2 has t2 partly unmatched and the tops swapped: aligned, each prediction sits with the
    true top it reconstructs (the mass plots compared t1's slot with t1 and showed wrong masses
    for perfect predictions)."""
    targets = [np.array([[0, 1, 2], [0, 1, 2], [0, 1, 2]]), np.array([[3, 4, 5], [3, 4, 5], [3, -1, 5]])]
    predictions = [np.array([[3, 4, 5], [1, 0, 2], [3, 6, 5]]), np.array([[0, 1, 2], [3, 4, 5], [1, 0, 2]])]
    assigned = np.array([[True, True], [True, True], [True, False]])
    aligned, aligned_assigned = aligned_predictions(predictions, assigned, targets, ttbar_topology)
    np.testing.assert_array_equal(aligned[0], [[0, 1, 2], [1, 0, 2], [1, 0, 2]])
    np.testing.assert_array_equal(aligned[1], [[3, 4, 5], [3, 4, 5], [3, 6, 5]])
    np.testing.assert_array_equal(aligned_assigned, [[True, True], [True, True], [False, True]])
