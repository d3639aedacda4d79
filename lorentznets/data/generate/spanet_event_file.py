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


def write_ttbar_event_file(path: Path, higgs: bool = False) -> Path:
    """Write the ttbar event file (the one SPANet ships for its ttbar example) to ``path``; with
    ``higgs``, for ttH with H -> b bbar (see :func:`with_higgs`)."""
    path = Path(path)
    path.write_text(with_higgs(TTBAR_EVENT_FILE) if higgs else TTBAR_EVENT_FILE)
    return path


def with_higgs(text: str) -> str:
    """An event file of this module with the particle ``h: [b1, b2]`` and its b <-> bbar symmetry
    added (on one line each of ``EVENT`` and ``PERMUTATIONS``)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("EVENT:"):
            lines[i] = line.rstrip()[:-1] + ", h: [b1, b2]}"
        elif line.startswith("PERMUTATIONS:"):
            lines[i] = line.rstrip()[:-1] + ", h: [[b1, b2]]}"
    return "\n".join(lines) + "\n"


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


def write_semileptonic_event_file(path: Path, higgs: bool = False) -> Path:
    """Write the semi-leptonic ttbar event file (hadronic top t1, leptonic top t2 with its b jet
    as the only target; leptons and MET as inputs; the neutrino momentum as regressions); with
    ``higgs``, for ttH with H -> b bbar (see :func:`with_higgs`)."""
    path = Path(path)
    path.write_text(with_higgs(SEMILEPTONIC_EVENT_FILE) if higgs else SEMILEPTONIC_EVENT_FILE)
    return path
