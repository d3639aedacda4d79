import pytest
import yaml

from lorentznets.assignment.symmetry import generate_group
from lorentznets.assignment.topology import EventTopology


def test_ttbar_file(tmp_path, ttbar_topology, ttbar_yaml):
    path = tmp_path / "event.yaml"
    path.write_text(ttbar_yaml)
    topology = EventTopology.from_yaml(path)
    assert topology == ttbar_topology
    assert topology.particle_names == ("t1", "t2")
    assert topology.particles[0].products == ("q1", "q2", "b")
    assert topology.particles[0].symmetries == ((0, 1, 2), (1, 0, 2))
    assert topology.event_symmetries == ((0, 1), (1, 0))
    assert topology.sequential_inputs["Source"]["eta"] == "normalize"


def test_full_symmetric_group_and_pair_swaps():
    assert len(generate_group(list("abcd"), [["a", "b", "c"]])) == 6
    assert generate_group(list("abcd"), [[["a", "b"], ["c", "d"]]]) == ((0, 1, 2, 3), (2, 3, 0, 1))
    # Two generators: swap a<->b and the pairs (a,b)<->(c,d) generate the dihedral group of order 8.
    assert len(generate_group(list("abcd"), [["a", "b"], [["a", "b"], ["c", "d"]]])) == 8


def test_errors_name_the_problem(tmp_path, ttbar_yaml):
    with pytest.raises(FileNotFoundError, match="missing.yaml"):
        EventTopology.from_yaml(tmp_path / "missing.yaml")
    spec = yaml.safe_load(ttbar_yaml)
    spec["INPUTS"]["SEQUENTIAL"]["Source"]["pt"] = "sqrt"
    with pytest.raises(ValueError, match="Source/pt"):
        EventTopology.from_dict(spec)
    spec = yaml.safe_load(ttbar_yaml)
    spec["PERMUTATIONS"]["t1"] = [["q1", "q3"]]
    with pytest.raises(ValueError, match="q3"):
        EventTopology.from_dict(spec)
    with pytest.raises(KeyError, match="EVENT"):
        EventTopology.from_dict({"INPUTS": {}})
