"""Write small HDF5 files in SPANet's exact layout, with their event file, for the tests."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

EVENT_FILE = """\
INPUTS:
  SEQUENTIAL:
    Source: {mass: log_normalize, pt: log_normalize, eta: normalize, phi: normalize, btag: none}
  GLOBAL:
EVENT:  {t1: [q1, q2, b], t2: [q1, q2, b]}
PERMUTATIONS: {EVENT: [[t1, t2]], t1: [[q1, q2]], t2: [[q1, q2]]}
REGRESSIONS:
CLASSIFICATIONS:
"""


def write_spanet_file(path: Path, num_events: int = 300, max_jets: int = 10, seed: int = 0) -> Path:
    """Events with 6..max_jets jets; partons matched to distinct jets, some unmatched (-1)."""
    rng = np.random.default_rng(seed)
    num_jets = rng.integers(6, max_jets + 1, num_events)
    mask = np.arange(max_jets)[None, :] < num_jets[:, None]
    pt = np.sort(rng.exponential(60.0, (num_events, max_jets)) + 25.0, axis=1)[:, ::-1]
    columns = {
        "pt": pt,
        "eta": rng.uniform(-2.5, 2.5, (num_events, max_jets)),
        "phi": rng.uniform(-np.pi, np.pi, (num_events, max_jets)),
        "mass": rng.uniform(2.0, 20.0, (num_events, max_jets)),
        "btag": rng.integers(0, 2, (num_events, max_jets)).astype(float),
    }
    targets = np.stack([rng.permutation(n)[:6] for n in num_jets])
    targets[rng.random(targets.shape) < 0.1] = -1
    with h5py.File(path, "w") as handle:
        handle["INPUTS/Source/MASK"] = mask
        for name, values in columns.items():
            handle[f"INPUTS/Source/{name}"] = np.where(mask, values, 0.0).astype(np.float32)
        for p, particle in enumerate(("t1", "t2")):
            for k, product in enumerate(("q1", "q2", "b")):
                handle[f"TARGETS/{particle}/{product}"] = targets[:, 3 * p + k].astype(np.int64)
    path.with_suffix(".yaml").write_text(EVENT_FILE)
    return path
