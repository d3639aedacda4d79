"""The denominators that docs/assignment.md states for each metric, on hand-made ttbar events."""

import math

import numpy as np
import pytest

from lorentznets.assignment.count_bins import purity_by_particle_count
from lorentznets.assignment.metrics import assignment_metrics


@pytest.fixture
def events():
    """Event 0: 5 jets, t1 right, t2 not reconstructable (two of its jets right); event 1: 6 jets,
    both tops right; event 2: 7 jets, no reconstructable particle, its one matched jet wrong."""
    targets = [np.array([[0, 1, 2], [0, 1, 2], [0, -1, -1]]), np.array([[3, 4, -1], [3, 4, 5], [-1, -1, -1]])]
    predictions = [np.array([[0, 1, 2], [0, 1, 2], [5, 1, 2]]), np.array([[3, 4, 0], [3, 4, 5], [6, 3, 4]])]
    return predictions, np.ones((3, 2), dtype=bool), targets, np.array([5, 6, 7])


def test_purity_denominators(events, ttbar_topology):
    metrics = assignment_metrics(*events, ttbar_topology)
    assert metrics["num_events"] == 2  # at least one reconstructable particle
    assert metrics["fraction_no_particle"] == pytest.approx(1 / 3)
    assert metrics["event_purity"] == 1.0
    assert (metrics["num_events_full"], metrics["event_purity_full"]) == (1, 1.0)
    assert (metrics["num_events_partial"], metrics["event_purity_partial"]) == (1, 1.0)
    assert metrics["jet_efficiency"] == pytest.approx(11 / 12)  # event 2's matched parton counts


def test_events_with_fewer_jets_than_products_are_in_no_multiplicity_bin(events, ttbar_topology):
    metrics = assignment_metrics(*events, ttbar_topology)
    assert metrics["num_events_njets6"] == 1
    assert metrics["num_events_njets7"] == 0 and math.isnan(metrics["event_purity_njets7"])
    assert metrics["num_events_njets8plus"] == 0
    assert metrics["num_events_partial"] == 1  # the 5-jet event


def test_particle_purity_is_per_true_particle(ttbar_topology):
    """Interchangeable particles do not share their value: t1 is reconstructable in all three
    events and right in two, t2 reconstructable and right in one."""
    targets = [np.array([[0, 1, 2]] * 3), np.array([[3, 4, 5], [3, 4, -1], [3, 4, -1]])]
    predictions = [np.array([[0, 1, 2], [0, 1, 2], [6, 1, 2]]), np.array([[3, 4, 5], [3, 4, 6], [3, 4, 7]])]
    metrics = assignment_metrics(predictions, np.ones((3, 2), dtype=bool), targets, np.array([8] * 3), ttbar_topology)
    assert metrics["particle_purity.t1"] == pytest.approx(2 / 3)
    assert metrics["particle_purity.t2"] == 1.0


def test_count_table_conventions(events, ttbar_topology):
    table = purity_by_particle_count(*events[:3], ttbar_topology)
    # The event with no reconstructable particle is in the all-zero bin, counted right.
    assert table["counts/t1-t2_0/event_proportion"] == pytest.approx(1 / 3)
    assert table["counts/t1-t2_0/event_purity"] == 1.0
    # "any" keeps the events with at least one reconstructable particle, of all multiplicities.
    assert table["counts/t1-t2_any/event_proportion"] == pytest.approx(2 / 3)
    assert table["counts/t1-t2_1/event_proportion"] == pytest.approx(1 / 3)
