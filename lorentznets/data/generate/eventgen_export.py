"""Fully matched ttbar events from a SPANet file, in the L-GATr event-generation npy layout."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from lorentznets.data.convert.h5_files import open_h5
from lorentznets.data.generate.kinematics import from_pt_eta_phi_m
from lorentznets.data.generate.spanet_layout import KINEMATICS, MASK, SOURCE_GROUP, source_key, target_key
from lorentznets.data.physics_checks import check_derived_momenta, check_four_momenta

TARGET_ORDER = ("t1/b", "t1/q1", "t1/q2", "t2/b", "t2/q1", "t2/q2")


def ordered_jets(
    source: dict[str, np.ndarray], targets: np.ndarray, path: str = "SPANet arrays"
) -> tuple[np.ndarray, np.ndarray]:
    """Reorder the jets of fully matched events as b1, q1, q2, b2, q3, q4, then extra jets.

    Parameters
    ----------
    source : dict of str to np.ndarray
        SPANet ``INPUTS/Source`` arrays ``MASK, pt, eta, phi, mass``, each (events, jets).
    targets : np.ndarray
        Shape (events, 6), jet indices in ``TARGET_ORDER``, -1 where unmatched.
    path : str
        Where the arrays come from, for the messages of the physics checks.

    Returns
    -------
    jets : np.ndarray
        Shape (matched events, jets, 4) float64 (E, px, py, pz) in GeV: the six matched jets,
        then the other real jets by decreasing pT, then zero padding.
    n_extra : np.ndarray
        Shape (matched events,), the number of extra jets.
    """
    mask = source[MASK].astype(bool)
    x = np.stack([source[key] for key in KINEMATICS], axis=-1).astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        p = from_pt_eta_phi_m(x)
    p[~mask] = 0.0
    check_derived_momenta(x, p, mask, path, SOURCE_GROUP, KINEMATICS)
    check_four_momenta(p, mask, path, SOURCE_GROUP)
    matched = np.all(targets >= 0, axis=1)
    mask, targets, p = mask[matched], targets[matched], p[matched]
    n_events, n_jets = mask.shape
    is_target = np.zeros_like(mask)
    np.put_along_axis(is_target, targets, True, axis=1)
    # A stable sort on "not an extra jet" keeps the extra jets in their pT order.
    extra_order = np.argsort(~(mask & ~is_target), axis=1, kind="stable")
    order = np.concatenate([targets, extra_order[:, : n_jets - 6]], axis=1)
    jets = np.take_along_axis(p, order[:, :, None], axis=1)
    n_extra = mask.sum(axis=1) - 6
    jets[np.arange(n_jets)[None, :] >= (6 + n_extra)[:, None]] = 0.0
    return jets, n_extra


def export_event_generation(spanet_file: Path, out_dir: Path) -> dict[int, Path]:
    """Write ``ttbar_<n>j.npy`` (events, 4 (6 + n)) for every extra-jet multiplicity n present.

    Each file is written to a temporary name and renamed, so one that exists is whole.

    Parameters
    ----------
    spanet_file : Path
        HDF5 file in the SPANet layout written by the ttbar generator.
    out_dir : Path
        Directory for the npy files (created).

    Returns
    -------
    dict of int to Path
        Extra-jet multiplicity to written file.
    """
    spanet_file = Path(spanet_file)
    if not spanet_file.exists():
        raise FileNotFoundError(f"SPANet file {spanet_file} not found")
    target_keys = [target_key(*name.split("/")) for name in TARGET_ORDER]
    with open_h5(spanet_file) as f:
        for key in (source_key(MASK), *target_keys):
            if key not in f:
                raise KeyError(f"{spanet_file} lacks the dataset '{key}' of the SPANet layout")
        source = {key: f[source_key(key)][:] for key in (MASK, *KINEMATICS)}
        targets = np.stack([f[key][:] for key in target_keys], axis=1)
    jets, n_extra = ordered_jets(source, targets, str(spanet_file))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for n in np.unique(n_extra):
        rows = jets[n_extra == n, : 6 + n].reshape(-1, 4 * (6 + n))
        written[int(n)] = out_dir / f"ttbar_{n}j.npy"
        temporary = out_dir / f".ttbar_{n}j.{os.getpid()}.tmp.npy"
        np.save(temporary, rows)
        os.replace(temporary, written[int(n)])
    return written
