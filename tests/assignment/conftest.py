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


# Semi-leptonic ttH: a hadronic top (3 products), a leptonic top with one jet target and a
# Higgs to b bbar (2 products): every particle has a different number of products.
SEMILEPTONIC_TTH = """
INPUTS:
  SEQUENTIAL:
    Jets: {pt: log_normalize, eta: normalize, sin_phi: normalize, cos_phi: normalize, mass: log_normalize}
EVENT:  {ht: [q1, q2, b], lt: [b], h: [b1, b2]}
PERMUTATIONS: {ht: [[q1, q2]], h: [[b1, b2]]}
"""

# All-hadronic ttH: two interchangeable tops and a Higgs (clusters (t1, t2) and (h)).
ALLHADRONIC_TTH = """
INPUTS:
  SEQUENTIAL:
    Jets: {pt: none, eta: none, phi: none, mass: none}
EVENT:  {t1: [q1, q2, b], t2: [q1, q2, b], h: [b1, b2]}
PERMUTATIONS: {EVENT: [[t1, t2]], t1: [[q1, q2]], t2: [[q1, q2]], h: [[b1, b2]]}
"""


@pytest.fixture
def semileptonic_tth_topology():
    return EventTopology.from_dict(yaml.safe_load(SEMILEPTONIC_TTH))


@pytest.fixture
def allhadronic_tth_topology():
    return EventTopology.from_dict(yaml.safe_load(ALLHADRONIC_TTH))
