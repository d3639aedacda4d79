"""The default data.invariant_features=[mass, btag] against an event file without btag."""

import re

import pytest
from test_wrappers import NETS

from experiments.registry import get_wrapper
from lorentznets.assignment.topology import EventTopology


@pytest.fixture
def nobtag_topology(tmp_path):
    path = tmp_path / "Wjets_nobtag.yaml"
    path.write_text(
        "INPUTS: {SEQUENTIAL: {Jets: {eta: normalize, mass: log_normalize, phi: normalize, pt: log_normalize}}}\n"
        "EVENT: {W: [j1, j2]}\nPERMUTATIONS: {W: [[j1, j2]]}\n"
    )
    return EventTopology.from_yaml(path)


def _build(name, topology, invariant_features):
    return get_wrapper("assignment", name)(
        net=NETS[name], topology=topology, invariant_features=invariant_features, features=4, rank=2
    )


def test_transformer_ignores_invariant_features_it_never_sees(nobtag_topology):
    model = _build("transformer", nobtag_topology, ["mass", "btag"])
    assert model.num_features == 4


@pytest.mark.parametrize("name", ["gatr", "pelican", "lorentznet"])
def test_equivariant_backbones_name_the_config_key_and_the_file(name, nobtag_topology):
    message = (
        f"{nobtag_topology.source}: data.invariant_features names ['btag'], which no SEQUENTIAL input of this "
        "event file has (its features: ['eta', 'mass', 'phi', 'pt']); override it, e.g. "
        "data.invariant_features=[mass]"
    )
    with pytest.raises(KeyError, match=re.escape(message)):
        _build(name, nobtag_topology, ["mass", "btag"])
    _build(name, nobtag_topology, ["mass"])
