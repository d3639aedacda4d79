"""Small synthetic data files in the layouts the experiments read, for tests and benchmarks.

The values are valid input (physical four-momenta, balanced labels, matched targets) drawn from a
seeded generator, so a file is the same on every call with the same arguments. Writing the HDF5
files needs h5py (``pip install lorentznets[data]``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from ..data.convert.h5_files import h5py_module
from ..data.generate.spanet_event_file import write_ttbar_event_file
from ..lorentz import from_pt_eta_phi_m


def write_lgn_jets(path: Path, num_jets: int = 400, max_particles: int = 200, seed: int = 0) -> Path:
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

    Returns
    -------
    Path
        ``path``, in the layout of :func:`_write_lgn_layout`, with ``truth_Pmu`` all zero.
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
    return _write_lgn_layout(path, nobj, pmu, is_signal, np.zeros((num_jets, 4), dtype=np.float32))


def write_top_jets(path: Path, num_jets: int = 240, max_particles: int = 30, seed: int = 0) -> Path:
    """Write jets with a top-momentum target in the converted LGN layout.

    Each jet has 6 to ``max_particles`` constituents of mass about 0.1 GeV spread around a random
    direction, 400 GeV shared among them. For the top jets (every odd one) the truth momentum is
    the constituent sum times 1 to 1.15 (out-of-cone radiation), so the sum underestimates it by
    7.5 % on average; the other jets carry zeros.

    Parameters
    ----------
    path : Path
        The HDF5 file to write.
    num_jets : int
    max_particles : int
        Constituent slots per jet (at least 6), zero-padded.
    seed : int

    Returns
    -------
    Path
        ``path``, in the layout of :func:`_write_lgn_layout`.
    """
    rng = np.random.default_rng(seed)
    is_signal = np.arange(num_jets) % 2
    nobj = rng.integers(6, max_particles + 1, size=num_jets)
    pmu = np.zeros((num_jets, max_particles, 4), dtype=np.float32)
    truth = np.zeros((num_jets, 4), dtype=np.float32)
    for jet in range(num_jets):
        n = nobj[jet]
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        p3 = 400 * rng.dirichlet(np.ones(n))[:, None] * (axis + 0.15 * rng.normal(size=(n, 3)))
        energy = np.sqrt((p3**2).sum(1) + 0.01)
        pmu[jet, :n] = np.concatenate([energy[:, None], p3], axis=1)
        if is_signal[jet]:
            total = pmu[jet, :n].sum(0)
            truth[jet] = total * (1 + 0.15 * rng.random())
    return _write_lgn_layout(path, nobj, pmu, is_signal, truth)


def _write_lgn_layout(path: Path, nobj: np.ndarray, pmu: np.ndarray, is_signal: np.ndarray, truth: np.ndarray) -> Path:
    """Write jets in the converted LGN layout.

    Parameters
    ----------
    path : Path
        The HDF5 file to write.
    nobj : np.ndarray with shape (J,), int
        Constituents per jet.
    pmu : np.ndarray with shape (J, P, 4), float32
        (E, px, py, pz) in GeV, zero-padded after the first ``nobj`` constituents.
    is_signal : np.ndarray with shape (J,), int
    truth : np.ndarray with shape (J, 4), float32
        Target momenta in GeV.

    Returns
    -------
    Path
        ``path``, holding ``Nobj``, ``Pmu``, ``is_signal``, ``label`` (J, P) bool (the
        constituent mask) and ``truth_Pmu``.
    """
    with h5py_module().File(path, "w") as file:
        file["Nobj"] = nobj
        file["Pmu"] = pmu
        file["is_signal"] = is_signal
        file["label"] = np.arange(pmu.shape[1])[None, :] < nobj[:, None]
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


def _boost(p: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Boost four-momenta ``p`` (N, 4) by velocities ``beta`` (N, 3); returns (N, 4)."""
    b2 = (beta**2).sum(-1, keepdims=True)
    gamma = 1 / np.sqrt(1 - b2)
    bp = (beta * p[:, 1:]).sum(-1, keepdims=True)
    energy = gamma * (p[:, :1] + bp)
    space = p[:, 1:] + ((gamma - 1) * bp / np.maximum(b2, 1e-300) + gamma * p[:, :1]) * beta
    return np.concatenate([energy, space], axis=-1)


def _two_body(
    parent: np.ndarray, m1: np.ndarray | float, m2: np.ndarray | float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic decay of ``parent`` (N, 4) into masses ``m1``, ``m2`` (scalars or (N,)); returns
    the two daughters, (N, 4) each, in the frame ``parent`` is given in."""
    n = len(parent)
    mass = np.sqrt(parent[:, 0] ** 2 - (parent[:, 1:] ** 2).sum(-1))
    m1, m2 = np.broadcast_to(m1, (n,)), np.broadcast_to(m2, (n,))
    q = np.sqrt((mass**2 - (m1 + m2) ** 2) * (mass**2 - (m1 - m2) ** 2)) / (2 * mass)
    cos = rng.uniform(-1, 1, n)
    phi = rng.uniform(-math.pi, math.pi, n)
    sin = np.sqrt(1 - cos**2)
    direction = np.stack([sin * np.cos(phi), sin * np.sin(phi), cos], -1)
    d1 = np.concatenate([np.sqrt(q**2 + m1**2)[:, None], q[:, None] * direction], -1)
    d2 = np.concatenate([np.sqrt(q**2 + m2**2)[:, None], -q[:, None] * direction], -1)
    beta = parent[:, 1:] / parent[:, :1]
    return _boost(d1, beta), _boost(d2, beta)


def make_ttbar_events(n: int, n_extra_jets: int = 0, seed: int = 0) -> np.ndarray:
    """All-hadronic ttbar events with real t -> b W -> b q q decay kinematics, in the layout of
    the event-generation files ``ttbar_<n>j.npy``.

    A ttbar system of 380 to 900 GeV, boosted along z, decays into two tops (173 GeV, Cauchy
    width 1.5 GeV cut at 5 widths), each into b W (80.4 +- 2 GeV) and each W into two quarks, every decay
    isotropic and every jet of mass 3 to 15 GeV. Extra jets are drawn independently (pt 25 GeV
    plus an exponential of mean 30 GeV, mass 3 to 10 GeV). Events with any jet outside the
    acceptance are dropped and more drawn until there are ``n``.

    Parameters
    ----------
    n : int
        Events to return.
    n_extra_jets : int
        Jets beyond the six decay jets.
    seed : int

    Returns
    -------
    numpy.ndarray with shape (n, 4 (6 + n_extra_jets)), float64
        Jets in the order b1 q1 q2 b2 q3 q4 j1.., each (E, px, py, pz) in GeV with pt > 25 GeV
        and |eta| < 2.5.
    """
    rng = np.random.default_rng(seed)
    kept: list[np.ndarray] = []
    total = 0
    while total < n:
        m = 8 * n
        shat = rng.uniform(380, 900, m)
        system = np.stack([shat, np.zeros(m), np.zeros(m), np.zeros(m)], -1)
        system = _boost(system, np.stack([np.zeros(m), np.zeros(m), rng.uniform(-0.5, 0.5, m)], -1))
        top_mass = 173 + 1.5 * rng.standard_cauchy(m).clip(-5, 5)
        t1, t2 = _two_body(system, top_mass, top_mass[::-1].copy(), rng)
        jet_mass = rng.uniform(3, 15, (6, m))
        b1, w1 = _two_body(t1, jet_mass[0], 80.4 + 2 * rng.standard_normal(m), rng)
        b2, w2 = _two_body(t2, jet_mass[3], 80.4 + 2 * rng.standard_normal(m), rng)
        q1, q2 = _two_body(w1, jet_mass[1], jet_mass[2], rng)
        q3, q4 = _two_body(w2, jet_mass[4], jet_mass[5], rng)
        jets = [b1, q1, q2, b2, q3, q4]
        for _ in range(n_extra_jets):
            pt = 25 + rng.exponential(30, m)
            eta, phi = rng.uniform(-2.5, 2.5, m), rng.uniform(-math.pi, math.pi, m)
            mass = rng.uniform(3, 10, m)
            px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
            jets.append(np.stack([np.sqrt(mass**2 + px**2 + py**2 + pz**2), px, py, pz], -1))
        p = np.stack(jets, axis=1)
        pt = np.hypot(p[..., 1], p[..., 2])
        eta = np.arcsinh(p[..., 3] / pt)
        accept = ((pt > 25) & (np.abs(eta) < 2.5)).all(axis=1)
        kept.append(p[accept].reshape(-1, 4 * len(jets)))
        total += int(accept.sum())
    return np.concatenate(kept)[:n]
