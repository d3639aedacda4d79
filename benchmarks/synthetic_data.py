"""Small synthetic data files in the layouts the quick configs read, for benchmarks that time a net.

The values only need to be valid input (physical four-momenta, balanced labels, matched targets):
what a benchmark measures depends on the net and on the shapes (jets, constituents per jet), which
follow the test suite's files. :func:`data_overrides` writes the file of a config and returns the
Hydra overrides that point the config at it.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from lorentznets.data.generate.spanet_event_file import write_ttbar_event_file


def _massless(pt: np.ndarray, eta: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """(E, px, py, pz) in GeV of massless particles; every argument (...,) -> (..., 4)."""
    return np.stack([pt * np.cosh(eta), pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], axis=-1)


def write_lgn_jets(
    path: Path, num_jets: int, particles: tuple[int, int], slots: int, truth: bool = False, seed: int = 0
) -> Path:
    """Balanced jets in the converted LGN layout (``Nobj``, ``Pmu``, ``label``, ``is_signal``,
    ``truth_Pmu``): ``particles[0]`` to ``particles[1]`` massless constituents around a random
    axis, hardest first, zero-padded to ``slots``. ``truth_Pmu`` (num_jets, 4) is the constituent
    sum of the signal jets with ``truth`` (a top-momentum target), zeros otherwise."""
    rng = np.random.default_rng(seed)
    nobj = rng.integers(particles[0], particles[1] + 1, num_jets)
    mask = np.arange(slots)[None, :] < nobj[:, None]
    pt = -np.sort(-600 * rng.dirichlet(np.ones(slots), num_jets), axis=1)
    eta = rng.uniform(-1, 1, (num_jets, 1)) + 0.1 * rng.normal(size=(num_jets, slots))
    phi = rng.uniform(-np.pi, np.pi, (num_jets, 1)) + 0.1 * rng.normal(size=(num_jets, slots))
    pmu = np.where(mask[..., None], _massless(pt, eta, phi), 0.0).astype(np.float32)
    is_signal = np.arange(num_jets) % 2
    jet_sum = pmu.sum(axis=1) * (truth * is_signal)[:, None]
    with h5py.File(path, "w") as file:
        file["Nobj"] = nobj
        file["Pmu"] = pmu
        file["is_signal"] = is_signal
        file["label"] = mask
        file["truth_Pmu"] = jet_sum.astype(np.float32)
    return path


def ttbar_events(num_events: int, seed: int = 0) -> np.ndarray:
    """Six jets per event, (num_events, 24) as (E, px, py, pz) GeV per jet, each with pt > 25 GeV,
    |eta| < 2.5 and a mass of 3-15 GeV (the acceptance of the ttbar event files)."""
    rng = np.random.default_rng(seed)
    shape = (num_events, 6)
    pt = 25 + rng.exponential(60.0, shape)
    eta, phi = rng.uniform(-2.5, 2.5, shape), rng.uniform(-np.pi, np.pi, shape)
    momenta = _massless(pt, eta, phi)
    momenta[..., 0] = np.sqrt(momenta[..., 0] ** 2 + rng.uniform(3, 15, shape) ** 2)
    return momenta.reshape(num_events, 24)


def write_spanet_events(path: Path, num_events: int, max_jets: int, seed: int = 0) -> Path:
    """All-hadronic ttbar events in SPANet's layout with 6 to ``max_jets`` jets, the six partons
    matched to distinct jets (a tenth of them unmatched, -1), and the event file next to it
    (``path`` with suffix ``.yaml``)."""
    rng = np.random.default_rng(seed)
    num_jets = rng.integers(6, max_jets + 1, num_events)
    mask = np.arange(max_jets)[None, :] < num_jets[:, None]
    shape = (num_events, max_jets)
    columns = {
        "pt": -np.sort(-(rng.exponential(60.0, shape) + 25.0), axis=1),
        "eta": rng.uniform(-2.5, 2.5, shape),
        "phi": rng.uniform(-np.pi, np.pi, shape),
        "mass": rng.uniform(2.0, 20.0, shape),
        "btag": rng.integers(0, 2, shape).astype(float),
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
    write_ttbar_event_file(path.with_suffix(".yaml"))
    return path


def data_overrides(config: str, folder: Path) -> list[str]:
    """Write a small data file of ``config`` (``config/<config>.yaml``) into ``folder``; return the
    overrides that make the config read it instead of generating its data."""
    if config == "toptagging":
        path = write_lgn_jets(folder / "jets.h5", num_jets=200, particles=(8, 24), slots=200)
        return [f"data.path={path}", "data.generate=null"]
    if config == "ptopreco":
        path = write_lgn_jets(folder / "tops.h5", num_jets=240, particles=(6, 30), slots=30, truth=True)
        return [f"data.path={path}", "data.generate=null"]
    if config == "amplitudes":  # the experiment's own generator is fast
        return [f"data.dir={folder}", "data.generate.n=200"]
    if config == "ttbar":
        np.save(folder / "ttbar_0j.npy", ttbar_events(1000))
        return [f"data.path={folder}", "data.generate=null"]
    if config == "ttbar_assignment":
        path = write_spanet_events(folder / "events.h5", num_events=300, max_jets=10)
        return [f"data.path={path}", "data.generate=null"]
    raise ValueError(f"no synthetic data for {config!r}")
