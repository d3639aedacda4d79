import pytest
import yaml

from lorentznets.assignment.topology import EventTopology

TTBAR = """
INPUTS:
  SEQUENTIAL:
    Source: {mass: log_normalize, pt: log_normalize, eta: normalize, phi: normalize, btag: none}
  GLOBAL:
EVENT:  {t1: [q1, q2, b], t2: [q1, q2, b]}
PERMUTATIONS: {EVENT: [[t1, t2]], t1: [[q1, q2]], t2: [[q1, q2]]}
REGRESSIONS:
CLASSIFICATIONS:
"""


@pytest.fixture
def ttbar_yaml():
    return TTBAR


@pytest.fixture
def ttbar_topology():
    return EventTopology.from_dict(yaml.safe_load(TTBAR))
