"""Small jet files in every supported layout, and an independent reference for the canonical order."""

from __future__ import annotations

from pathlib import Path

import awkward as ak
import h5py
import numpy as np
import pandas as pd
import uproot

from lorentznets.data.readers.jetclass_root import IMPACT_BRANCHES, LABELS, PID_BRANCHES


def random_jets(n_jets: int, n_slots: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Massless constituents in random order with random counts (>= 1), zero-padded at the end.

    Returns
    -------
    momenta : (n_jets, n_slots, 4) float64, counts : (n_jets,) int
    """
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, n_slots + 1, size=n_jets)
    p3 = rng.normal(size=(n_jets, n_slots, 3)) * 50.0
    p3[..., 2] += 200.0
    energy = np.linalg.norm(p3, axis=-1, keepdims=True)
    momenta = np.concatenate([energy, p3], axis=-1)
    momenta[np.arange(n_slots) >= counts[:, None]] = 0.0
    return momenta, counts


def reference_order(momenta: np.ndarray, max_particles: int) -> tuple[np.ndarray, np.ndarray]:
    """Jet-by-jet reference: real constituents by decreasing pT, truncated and zero-padded."""
    out = np.zeros((len(momenta), max_particles, 4))
    mask = np.zeros((len(momenta), max_particles), dtype=bool)
    for j, jet in enumerate(momenta):
        real = [p for p in jet if np.any(p != 0)]
        real.sort(key=lambda p: -np.hypot(p[1], p[2]))
        real = real[:max_particles]
        if real:
            out[j, : len(real)] = real
            mask[j, : len(real)] = True
    return out, mask


def write_lgn(
    path: Path,
    momenta: np.ndarray,
    labels: np.ndarray,
    truth: np.ndarray | None = None,
    scalars: np.ndarray | None = None,
) -> Path:
    """The converted LGN layout, as published."""
    mask = (momenta != 0).any(axis=-1)
    with h5py.File(path, "w") as file:
        file["Nobj"] = mask.sum(axis=1)
        file["Pmu"] = momenta
        file["is_signal"] = labels
        file["label"] = mask.astype(np.int64)
        if truth is not None:
            file["truth_Pmu"] = truth
        if scalars is not None:
            file["scalars"] = scalars
    return path


def landscape_frame(momenta: np.ndarray, labels: np.ndarray, truth: np.ndarray) -> pd.DataFrame:
    """One row per jet with the landscape columns (float32 kinematics as in the release)."""
    n_slots = momenta.shape[1]
    columns = {}
    for c, name in enumerate(["E", "PX", "PY", "PZ"]):
        for i in range(n_slots):
            columns[f"{name}_{i}"] = momenta[:, i, c].astype(np.float32)
    for c, name in enumerate(["truthE", "truthPX", "truthPY", "truthPZ"]):
        columns[name] = truth[:, c].astype(np.float32)
    columns["ttv"] = np.zeros(len(labels), dtype=np.int64)
    columns["is_signal_new"] = labels.astype(np.int64)
    return pd.DataFrame(columns)


def write_landscape(path: Path, momenta: np.ndarray, labels: np.ndarray, truth: np.ndarray, fmt: str = "fixed") -> Path:
    """The landscape file as pandas writes it (``df.to_hdf(path, key="table")``)."""
    landscape_frame(momenta, labels, truth).to_hdf(path, key="table", format=fmt)
    return path


def write_energyflow(path: Path, particles: np.ndarray, labels: np.ndarray) -> Path:
    """The EnergyFlow quark-gluon archive (compressed, as released)."""
    np.savez_compressed(path, X=particles, y=labels)
    return path


def write_energyflow_h5(
    path: Path, particles: np.ndarray, labels: np.ndarray | None = None, **extra: np.ndarray
) -> Path:
    """The EnergyFlow layout in HDF5, as our quark-gluon generator writes it: ``X`` (N, M, 4) rows of
    (pt, y, phi, pid), ``y`` (N,) unless ``labels`` is None (an unlabelled file) and each of ``extra``
    (``weight``, ``pthat``, ...) under its name."""
    with h5py.File(path, "w") as file:
        file["X"] = particles
        if labels is not None:
            file["y"] = labels
        for key, values in extra.items():
            file[key] = values
    return path


def write_jetclass(
    path: Path,
    momenta: np.ndarray,
    counts: np.ndarray,
    classes: np.ndarray,
    seed: int = 0,
    basket_entries: int | None = None,
    replace: dict[str, np.ndarray | ak.Array] | None = None,
    jet_branches: bool = True,
) -> tuple[Path, dict[str, list]]:
    """A JetClass ROOT file: a TTree with jagged float32 constituent branches and one bool per class,
    in baskets of ``basket_entries`` jets (one basket when None); ``replace`` writes the given
    branches instead (broken files).

    With ``jet_branches``, as the released files: float32 ``jet_pt, jet_eta, jet_phi, jet_energy``
    of the sum of all ``counts`` constituents, and jagged ``part_deta`` = (eta - jet_eta) *
    sign(jet_eta) and ``part_dphi`` = phi - jet_phi wrapped to [-pi, pi).

    Returns the path and the jagged per-constituent features written (for comparison).
    """
    rng = np.random.default_rng(seed)

    def jagged(values: np.ndarray) -> ak.Array:
        return ak.Array([row[:n].tolist() for row, n in zip(values, counts, strict=True)])

    branches = {
        name: jagged(momenta[..., c].astype(np.float32))
        for c, name in enumerate(["part_energy", "part_px", "part_py", "part_pz"])
    }
    features = {}
    shape = momenta.shape[:2]
    kind = rng.integers(0, 5, size=shape)
    features["part_charge"] = np.where(kind < 2, rng.choice([-1.0, 1.0], size=shape), 0.0)
    for k, name in enumerate(PID_BRANCHES[1:]):
        features[name] = (kind == k).astype(np.float32)
    for name in IMPACT_BRANCHES:
        features[name] = rng.normal(size=shape).astype(np.float32)
    for name, values in features.items():
        branches[name] = jagged(values.astype(np.float32))
    for k, name in enumerate(LABELS):
        branches[name] = classes == k
    if jet_branches:
        branches |= _jet_branches(momenta, counts, jagged)
    branches |= replace or {}
    with uproot.recreate(path) as file:
        # A TTree, as the released files (assigning a dict would write an RNTuple).
        file.mktree(
            "tree",
            {
                name: values.type.content if isinstance(values, ak.Array) else values.dtype
                for name, values in branches.items()
            },
        )
        step = basket_entries or len(classes)
        for start in range(0, len(classes), step):
            file["tree"].extend({name: values[start : start + step] for name, values in branches.items()})
    return path, features


def _jet_branches(momenta: np.ndarray, counts: np.ndarray, jagged) -> dict[str, np.ndarray | ak.Array]:
    """JetClass's jet branches of the float32 constituents (the first ``counts`` of each row of
    ``momenta``), and their ``part_deta``, ``part_dphi`` against them."""
    stored = momenta.astype(np.float32).astype(np.float64)
    stored[np.arange(momenta.shape[1]) >= counts[:, None]] = 0.0
    jet = stored.sum(axis=1)
    jet_pt = np.hypot(jet[:, 1], jet[:, 2])
    with np.errstate(divide="ignore", invalid="ignore"):  # padding, and jets without constituents
        jet_eta = np.nan_to_num(np.arcsinh(jet[:, 3] / jet_pt))
        eta = np.arcsinh(stored[..., 3] / np.hypot(stored[..., 1], stored[..., 2]))
    jet_phi = np.arctan2(jet[:, 2], jet[:, 1])
    phi = np.arctan2(stored[..., 2], stored[..., 1])
    sign = np.where(jet_eta < 0, -1.0, 1.0)[:, None]
    return {
        "jet_pt": jet_pt.astype(np.float32),
        "jet_eta": jet_eta.astype(np.float32),
        "jet_phi": jet_phi.astype(np.float32),
        "jet_energy": jet[:, 0].astype(np.float32),
        "part_deta": jagged(((eta - jet_eta[:, None]) * sign).astype(np.float32)),
        "part_dphi": jagged((np.remainder(phi - jet_phi[:, None] + np.pi, 2 * np.pi) - np.pi).astype(np.float32)),
    }
