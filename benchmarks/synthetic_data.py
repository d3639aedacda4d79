"""Small synthetic data files in the layouts the quick configs read, for benchmarks that time a net.

The values only need to be valid input (physical four-momenta, balanced labels, matched targets):
what a benchmark measures depends on the net and on the shapes (jets, constituents per jet). The
jet and SPANet event files are the test suite's (:mod:`lorentznets.testing.synthetic_files`).
:func:`data_overrides` writes the file of a config and returns the Hydra overrides that point the
config at it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lorentznets.testing.synthetic_files import write_lgn_jets, write_spanet_file


def ttbar_events(num_events: int, seed: int = 0) -> np.ndarray:
    """Six jets per event, (num_events, 24) as (E, px, py, pz) GeV per jet, each with pt > 25 GeV,
    |eta| < 2.5 and a mass of 3-15 GeV (the acceptance of the ttbar event files)."""
    rng = np.random.default_rng(seed)
    shape = (num_events, 6)
    pt = 25 + rng.exponential(60.0, shape)
    eta, phi = rng.uniform(-2.5, 2.5, shape), rng.uniform(-np.pi, np.pi, shape)
    momenta = np.stack([pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], axis=-1)
    momenta[..., 0] = np.sqrt(momenta[..., 0] ** 2 + rng.uniform(3, 15, shape) ** 2)
    return momenta.reshape(num_events, 24)


def data_overrides(config: str, folder: Path) -> list[str]:
    """Write a small data file of ``config`` (``config/<config>.yaml``) into ``folder``; return the
    overrides that make the config read it instead of generating its data."""
    if config == "toptagging":
        path = write_lgn_jets(folder / "jets.h5", num_jets=200)
        return [f"data.path={path}", "data.generate=null"]
    if config == "ptopreco":
        path = write_lgn_jets(folder / "tops.h5", num_jets=240, max_particles=30, top_truth=True)
        return [f"data.path={path}", "data.generate=null"]
    if config == "amplitudes":  # the experiment's own generator is fast
        return [f"data.dir={folder}", "data.generate.n=200"]
    if config == "ttbar":
        np.save(folder / "ttbar_0j.npy", ttbar_events(1000))
        return [f"data.path={folder}", "data.generate=null"]
    if config == "ttbar_assignment":
        path = write_spanet_file(folder / "events.h5", num_events=300, max_jets=10)
        return [f"data.path={path}", "data.generate=null"]
    raise ValueError(f"no synthetic data for {config!r}")
