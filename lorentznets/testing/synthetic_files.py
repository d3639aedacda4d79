"""Small synthetic data files in the layouts the experiments read, for tests and benchmarks.

The values are valid input (physical four-momenta, balanced labels, matched targets) drawn from a
seeded generator, so a file is the same on every call with the same arguments. Writing needs h5py
(``pip install lorentznets[data]``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..data.convert.h5_files import h5py_module
from ..data.generate.spanet_event_file import write_ttbar_event_file
from ..lorentz import from_pt_eta_phi_m


def write_lgn_jets(
    path: Path, num_jets: int = 400, max_particles: int = 200, seed: int = 0, top_truth: bool = False
) -> Path:
    """Write balanced jets in the converted LGN layout.

    Signal jets (every odd one) have three hard prongs 0.3 apart, background jets one, so a tagger
    separates them quickly. Each jet has 8 to 24 massless constituents around a random axis,
    hardest first.

    Parameters
    ----------
    path : Path
        The HDF5 file to write.
    num_jets : int
    max_particles : int
        Constituent slots per jet (at least 24), zero-padded.
    seed : int
    top_truth : bool
        Store each signal jet's constituent sum as ``truth_Pmu`` (a top-momentum target) instead
        of zeros.

    Returns
    -------
    Path
        ``path``, holding ``Nobj`` (num_jets,), ``Pmu`` (num_jets, max_particles, 4) float32
        (E, px, py, pz) in GeV, ``is_signal`` (num_jets,), ``label`` (num_jets, max_particles)
        bool (the constituent mask) and ``truth_Pmu`` (num_jets, 4) float32.
    """
    rng = np.random.default_rng(seed)
    is_signal = np.arange(num_jets) % 2
    pmu = np.zeros((num_jets, max_particles, 4), dtype=np.float32)
    nobj = rng.integers(8, 25, size=num_jets)
    for jet in range(num_jets):
        n = nobj[jet]
        axis_eta, axis_phi = rng.uniform(-1, 1), rng.uniform(-np.pi, np.pi)
        prongs = 3 if is_signal[jet] else 1
        prong = rng.integers(0, prongs, size=n)
        offsets = np.array([[0.0, 0.0], [0.3, 0.1], [-0.1, 0.3]])[prong]
        eta = axis_eta + offsets[:, 0] + 0.03 * rng.normal(size=n)
        phi = axis_phi + offsets[:, 1] + 0.03 * rng.normal(size=n)
        pt = 600 * rng.dirichlet(np.ones(n))
        order = np.argsort(-pt)
        x = np.stack([pt, eta, phi, np.zeros(n)], axis=-1)[order]
        pmu[jet, :n] = from_pt_eta_phi_m(torch.tensor(x)).numpy()
    mask = np.arange(max_particles)[None, :] < nobj[:, None]
    truth = np.zeros((num_jets, 4), dtype=np.float32)
    if top_truth:
        truth[is_signal == 1] = pmu[is_signal == 1].sum(axis=1)
    with h5py_module().File(path, "w") as file:
        file["Nobj"] = nobj
        file["Pmu"] = pmu
        file["is_signal"] = is_signal
        file["label"] = mask
        file["truth_Pmu"] = truth
    return path


def write_spanet_file(path: Path, num_events: int = 300, max_jets: int = 10, seed: int = 0) -> Path:
    """Write all-hadronic ttbar events in SPANet's layout, with their event file.

    Each event has 6 to ``max_jets`` jets, hardest first; the six partons (t1 and t2, each
    q1, q2, b) are matched to distinct jets, a tenth of them unmatched (-1).

    Parameters
    ----------
    path : Path
        The HDF5 file to write; the event file goes to ``path`` with suffix ``.yaml``
        (:func:`~lorentznets.data.generate.spanet_event_file.write_ttbar_event_file`).
    num_events : int
    max_jets : int
    seed : int

    Returns
    -------
    Path
        ``path``, holding ``INPUTS/Source/MASK`` (num_events, max_jets) bool,
        ``INPUTS/Source/{pt, eta, phi, mass, btag}`` (num_events, max_jets) float32 (GeV),
        zero where masked, and ``TARGETS/{t1, t2}/{q1, q2, b}`` (num_events,) int64 jet indices.
    """
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
    with h5py_module().File(path, "w") as handle:
        handle["INPUTS/Source/MASK"] = mask
        for name, values in columns.items():
            handle[f"INPUTS/Source/{name}"] = np.where(mask, values, 0.0).astype(np.float32)
        for p, particle in enumerate(("t1", "t2")):
            for k, product in enumerate(("q1", "q2", "b")):
                handle[f"TARGETS/{particle}/{product}"] = targets[:, 3 * p + k].astype(np.int64)
    write_ttbar_event_file(path.with_suffix(".yaml"))
    return path
