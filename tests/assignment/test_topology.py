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
    with pytest.raises(ValueError, match=r"<dict>: PERMUTATIONS/t1: unknown name 'q3' in a permutation"):
        EventTopology.from_dict(spec)
    broken = "INPUTS:\n  SEQUENTIAL:\n    Source: {mass: log_normalize, pt\nEVENT: {t1: [q1]}\n"
    (tmp_path / "broken.yaml").write_text(broken)
    with pytest.raises(ValueError, match=r"broken\.yaml: not a readable event file \(YAML\): while parsing"):
        EventTopology.from_yaml(tmp_path / "broken.yaml")
    (tmp_path / "text.yaml").write_text("a string\n")
    with pytest.raises(ValueError, match=r"text\.yaml: an event file is a YAML mapping .*got str"):
        EventTopology.from_yaml(tmp_path / "text.yaml")
    with pytest.raises(KeyError, match="EVENT"):
        EventTopology.from_dict({"INPUTS": {}})
