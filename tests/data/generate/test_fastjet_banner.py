"""FastJet's banner is switched off: clustering in a fresh process prints nothing."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("fastjet")

SCRIPT = """
import awkward as ak
import vector

from lorentznets.data.generate.clustering import cluster_antikt

vector.register_awkward()
particles = ak.Array(
    [[{"px": 1.0, "py": 2.0, "pz": 3.0, "E": 10.0}, {"px": 2.0, "py": 1.0, "pz": 3.0, "E": 10.0}]],
    with_name="Momentum4D",
)
jets, _ = cluster_antikt(particles, 0.4, 0.0)
print("jets", len(jets[0]))
"""


def test_clustering_prints_no_banner():
    # A pipe makes C stdio fully buffered: a banner hidden only while clustering would surface at exit.
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "jets 2\n"


VETO_SCRIPT = """
from lorentznets.data.generate.jet_veto import JetVeto, VetoSettings
from lorentznets.data.generate.fjcore_banner import pythia8mc

veto = JetVeto(VetoSettings(pt_min=500.0, rapidity_max=2.0, radius=0.8))
event = pythia8mc.Event()  # without Pythia's particle table no particle counts as visible: no jet
event.append(21, 91, 0, 0, 600.0, 0.0, 100.0, 608.3, 0.0)
print("jet", round(veto.leading_pt(event)))
"""


def test_the_jet_veto_prints_no_fjcore_banner():
    """Pythia's SlowJet (the jet veto's clustering) brings its own fjcore banner."""
    pytest.importorskip("pythia8mc")
    result = subprocess.run(
        [sys.executable, "-c", VETO_SCRIPT], capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "jet 0\n"
