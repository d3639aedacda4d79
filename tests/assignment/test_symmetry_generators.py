"""Generators that are not permutations (a name in two places) are refused at parse time."""

import re

import pytest

from lorentznets.assignment.symmetry import generate_group
from lorentznets.assignment.topology import EventTopology

INPUTS = {"SEQUENTIAL": {"Jets": {"pt": "log", "eta": "none", "phi": "none", "mass": "log"}}}


@pytest.mark.parametrize(
    "generator, repeated",
    [([["a", "b"], ["b", "c"]], "['b']"), (["a", "a", "b"], "['a']")],
)
def test_non_bijective_generator_is_refused(generator, repeated):
    """[[a, b], [b, c]] gave (1, 0, 1), which the heads' permute() later refused."""
    with pytest.raises(ValueError, match=re.escape(f"is not a permutation: it names {repeated} more than once")):
        generate_group(["a", "b", "c"], [generator])


def test_overlapping_particle_generator_names_file_and_key(tmp_path):
    path = tmp_path / "3body_overlap.yaml"
    path.write_text(
        "INPUTS: {SEQUENTIAL: {Jets: {pt: log, eta: none, phi: none, mass: log}}}\n"
        "EVENT: {X: [a, b, c]}\n"
        "PERMUTATIONS: {X: [[[a, b], [b, c]]]}\n"
    )
    message = rf"^{path}: PERMUTATIONS/X: generator \[\['a', 'b'\], \['b', 'c'\]\] is not a permutation"
    with pytest.raises(ValueError, match=message):
        EventTopology.from_yaml(path)


def test_overlapping_event_generator_names_the_key():
    spec = {
        "INPUTS": INPUTS,
        "EVENT": {"Z1": ["a", "b"], "Z2": ["a", "b"], "Z3": ["a", "b"]},
        "PERMUTATIONS": {"EVENT": [[["Z1", "Z2"], ["Z2", "Z3"]]]},
    }
    with pytest.raises(ValueError, match=r"^x\.yaml: PERMUTATIONS/EVENT: generator .* is not a permutation"):
        EventTopology.from_dict(spec, "x.yaml")


def test_disjoint_pair_swaps_are_still_accepted():
    assert generate_group(list("abcd"), [[["a", "b"], ["c", "d"]]]) == ((0, 1, 2, 3), (2, 3, 0, 1))
    assert len(generate_group(list("abc"), [[["a"], ["b"], ["c"]]])) == 3
