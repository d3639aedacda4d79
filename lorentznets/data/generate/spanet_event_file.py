"""The SPANet event-description YAMLs of the ttbar generator (all-hadronic and semi-leptonic)."""

from __future__ import annotations

from pathlib import Path

TTBAR_EVENT_FILE = """\
INPUTS:
  SEQUENTIAL:
    Source: {mass: log_normalize, pt: log_normalize, eta: normalize, phi: normalize, btag: none}
  GLOBAL:
EVENT:  {t1: [q1, q2, b], t2: [q1, q2, b]}
PERMUTATIONS: {EVENT: [[t1, t2]], t1: [[q1, q2]], t2: [[q1, q2]]}
REGRESSIONS:
CLASSIFICATIONS:
"""


def write_ttbar_event_file(path: Path) -> Path:
    """Write the ttbar event file (the one SPANet ships for its ttbar example) to ``path``."""
    path = Path(path)
    path.write_text(TTBAR_EVENT_FILE)
    return path


SEMILEPTONIC_EVENT_FILE = """\
INPUTS:
  SEQUENTIAL:
    Jets: {mass: log_normalize, pt: log_normalize, eta: normalize, phi: normalize, btag: none}
    Leptons: {mass: log_normalize, pt: log_normalize, eta: normalize, phi: normalize, charge: none, muon: none}
  GLOBAL:
    Met: {met: log_normalize, sin_phi: normalize, cos_phi: normalize}
EVENT:  {t1: [q1, q2, b], t2: [b]}
PERMUTATIONS: {t1: [[q1, q2]]}
REGRESSIONS:
  EVENT: [neutrino_px, neutrino_py, neutrino_pz]
CLASSIFICATIONS:
"""


def write_semileptonic_event_file(path: Path) -> Path:
    """Write the semi-leptonic ttbar event file (hadronic top t1, leptonic top t2 with its b jet
    as the only target; leptons and MET as inputs; the neutrino momentum as regressions)."""
    path = Path(path)
    path.write_text(SEMILEPTONIC_EVENT_FILE)
    return path
