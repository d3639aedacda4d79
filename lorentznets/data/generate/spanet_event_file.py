"""The SPANet event-description YAML for all-hadronic ttbar."""

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
