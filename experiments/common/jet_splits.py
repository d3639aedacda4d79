"""Jet files split into train/val/test as configured: shared by tagging and top-momentum
regression, which read the same files."""

from __future__ import annotations

import glob
from collections.abc import Mapping
from pathlib import Path

from experiments.common.generated_data import ensure_generated, pythia_generator
from experiments.common.splits import split_indices
from lorentznets.data.readers import JetData, detect_format, load_jets


def _read(path: str, split: str, data_cfg: Mapping) -> JetData:
    fmt = data_cfg["format"]
    resolved = detect_format(path) if fmt == "auto" and Path(path).is_file() else fmt
    # Only L-GATr's npz stores all splits in one file and needs to be told which one to read.
    return load_jets(
        path,
        format=fmt,
        split=split if resolved == "lgatr_npz" else None,
        max_particles=data_cfg["max_particles"],
        max_jets=data_cfg.get("max_jets"),
    )


def load_jet_splits(data_cfg: Mapping) -> dict[str, JetData]:
    """Read train/val/test jets as configured.

    ``data.files`` (``{train, val, test}`` paths) reads one file (or glob) per split; otherwise
    ``data.path`` is read once and split by ``data.split_fractions`` with ``data.split_seed``,
    generating it first if it is missing and ``data.generate`` allows.
    """
    files = data_cfg.get("files")
    if files:
        missing = {"train", "val", "test"} - set(files)
        if missing:
            raise KeyError(f"data.files needs the keys train, val, test; missing {sorted(missing)}")
        return {split: _read(str(files[split]), split, data_cfg) for split in ("train", "val", "test")}
    if not data_cfg.get("path"):
        raise ValueError("set data.path (one file, split randomly) or data.files (one per split)")
    path = Path(data_cfg["path"])
    generate = data_cfg["generate"]
    if not glob.has_magic(str(path)):
        make = pythia_generator(path, generate) if generate is not None else None
        what = f"{generate['n']} {generate['dataset']} jets with Pythia (a few minutes)" if generate else ""
        ensure_generated(path, generate, make, what)
    jets = _read(str(path), "train", data_cfg)
    indices = split_indices(len(jets), data_cfg["split_fractions"], data_cfg["split_seed"], jets.source)
    return {name: jets.subset(index) for name, index in indices.items()}
