"""Small synthetic data files in the layouts the quick configs read, for benchmarks that time a net.

The values only need to be valid input (physical four-momenta, balanced labels, matched targets):
what a benchmark measures depends on the net and on the shapes (jets, constituents per jet). The
files are the test suite's (:mod:`lorentznets.testing.synthetic_files`). :func:`data_overrides`
writes the file of a config and returns the Hydra overrides that point the config at it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lorentznets.testing.synthetic_files import make_ttbar_events, write_lgn_jets, write_spanet_file, write_top_jets


def data_overrides(config: str, folder: Path) -> list[str]:
    """Write a small data file of ``config`` (``config/<config>.yaml``) into ``folder``; return the
    overrides that make the config read it instead of generating its data."""
    if config == "toptagging":
        path = write_lgn_jets(folder / "jets.h5", num_jets=200)
        return [f"data.path={path}", "data.generate=null"]
    if config == "ptopreco":
        path = write_top_jets(folder / "tops.h5", num_jets=240, max_particles=30)
        return [f"data.path={path}", "data.generate=null"]
    if config == "amplitudes":  # the experiment's own generator is fast
        return [f"data.dir={folder}", "data.generate.n=200"]
    if config == "ttbar":
        np.save(folder / "ttbar_0j.npy", make_ttbar_events(1000))
        return [f"data.path={folder}", "data.generate=null"]
    if config == "ttbar_assignment":
        path = write_spanet_file(folder / "events.h5", num_events=300, max_jets=10)
        return [f"data.path={path}", "data.generate=null"]
    raise ValueError(f"no synthetic data for {config!r}")
