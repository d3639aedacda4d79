"""EVENT permutations may only exchange particles whose products line up position by position."""

import numpy as np
import pytest

from lorentznets.assignment.metrics import assignment_metrics
from lorentznets.assignment.topology import EventTopology

INPUTS = {"SEQUENTIAL": {"Jets": {"pt": "log", "eta": "none", "phi": "none", "mass": "log"}}}


def _spec(t2_products, permutations):
    return {"INPUTS": INPUTS, "EVENT": {"t1": ["q1", "q2", "b"], "t2": t2_products}, "PERMUTATIONS": permutations}


def test_exchanged_particles_with_reordered_products_are_refused():
    """Targets are compared by position: with t2 = (b, q1, q2) a right prediction scored 0."""
    spec = _spec(["b", "q1", "q2"], {"EVENT": [["t1", "t2"]], "t1": [["q1", "q2"]], "t2": [["q1", "q2"]]})
    message = (
        r"x\.yaml: PERMUTATIONS/EVENT exchanges t1 and t2, which have different decay products "
        r"\(EVENT/t1: \['q1', 'q2', 'b'\], EVENT/t2: \['b', 'q1', 'q2'\]\); exchanged particles must have as "
        r"many products, and products named alike in the same order"
    )
    with pytest.raises(ValueError, match=message):
        EventTopology.from_dict(spec, "x.yaml")
    spec["EVENT"]["t2"], spec["PERMUTATIONS"]["t2"] = ["q1", "b"], [["q1", "b"]]
    with pytest.raises(ValueError, match="exchanges t1 and t2, which have different decay products"):
        EventTopology.from_dict(spec, "x.yaml")  # fewer products


def test_a_shared_product_name_at_another_position_is_refused():
    spec = _spec(["q3", "q4", "q1"], {"EVENT": [["t1", "t2"]], "t1": [["q1", "q2"]], "t2": [["q3", "q4"]]})
    with pytest.raises(ValueError, match="exchanges t1 and t2, which have different decay products"):
        EventTopology.from_dict(spec, "x.yaml")  # q1 first in t1, last in t2


def test_products_named_differently_pair_by_position():
    spec = _spec(["q3", "q4", "b2"], {"EVENT": [["t1", "t2"]], "t1": [["q1", "q2"]], "t2": [["q3", "q4"]]})
    assert len(EventTopology.from_dict(spec, "x.yaml").event_symmetries) == 2


def test_reordered_file_names_its_path(tmp_path):
    path = tmp_path / "ttH_t2_reordered.yaml"
    path.write_text(
        "INPUTS: {SEQUENTIAL: {Jets: {pt: log, eta: none, phi: none, mass: log}}}\n"
        "EVENT: {h: [b1, b2], t1: [q1, q2, b], t2: [b, q1, q2]}\n"
        "PERMUTATIONS: {EVENT: [[t1, t2]], h: [[b1, b2]], t1: [[q1, q2]], t2: [[q1, q2]]}\n"
    )
    with pytest.raises(ValueError, match=f"^{path}: PERMUTATIONS/EVENT exchanges t1 and t2, which have different"):
        EventTopology.from_yaml(path)


def test_exchanged_particles_with_different_product_symmetries_are_refused():
    """With t2's [[q1, q2]] missing, one prediction scored 0 or 1 depending on its slot."""
    spec = _spec(["q1", "q2", "b"], {"EVENT": [["t1", "t2"]], "t1": [["q1", "q2"]]})
    message = (
        r"x\.yaml: PERMUTATIONS/EVENT exchanges t1 and t2, which have different product symmetries "
        r"\(PERMUTATIONS/t1: \[\['q1', 'q2'\]\], PERMUTATIONS/t2: \[\]\); exchanged particles must have the same "
        r"product permutations"
    )
    with pytest.raises(ValueError, match=message):
        EventTopology.from_dict(spec, "x.yaml")


def test_same_group_written_differently_is_accepted():
    spec = _spec(["q1", "q2", "b"], {"EVENT": [["t1", "t2"]], "t1": [["q1", "q2"]], "t2": [["q2", "q1"]]})
    topology = EventTopology.from_dict(spec, "x.yaml")
    assert topology.event_symmetries == ((0, 1), (1, 0))


def test_accepted_exchange_scores_a_right_prediction_in_either_slot():
    """Positive control: the same products in the same order give purity 1 in either head."""
    spec = _spec(["q1", "q2", "b"], {"EVENT": [["t1", "t2"]], "t1": [["q1", "q2"]], "t2": [["q1", "q2"]]})
    topology = EventTopology.from_dict(spec, "x.yaml")
    t1, t2 = np.array([[0, 1, 2]]), np.array([[3, 4, 5]])
    assigned = np.ones((1, 2), dtype=bool)
    for predictions in ([t1, t2[:, [1, 0, 2]]], [t2[:, [1, 0, 2]], t1]):
        metrics = assignment_metrics(predictions, assigned, [t1, t2], np.array([6]), topology)
        assert metrics["event_purity"] == 1.0
