"""Jet files split into train/val/test as configured: shared by tagging and top-momentum
regression, which read the same files.

Where the splits come from, in order:

1. ``data.files`` (``{train, val, test}``): one file or glob per split;
2. ``data.path`` naming a file that stores its own splits (L-GATr's npz): those splits;
3. ``data.path`` otherwise: its jets split by ``data.split_fractions`` with ``data.split_seed``,
   generated first if the file is missing and ``data.generate`` allows.

``data.max_jets`` caps each split (1, 2) or the file before splitting (3); over a glob the cap is
shared among the files in proportion to their sizes.
"""

from __future__ import annotations

import glob
from collections.abc import Mapping
from pathlib import Path

from experiments.common.generated_data import ensure_generated, pythia_generator
from experiments.common.splits import SPLITS, split_indices
from lorentznets.data.readers import JetData, detect_format, load_jets

# Formats whose files hold all three splits, told apart by a ``split`` argument.
MULTI_SPLIT_FORMATS = ("lgatr_npz",)


def split_files(data_cfg: Mapping) -> dict[str, str] | None:
    """The file (or glob) of each split when ``data.files`` is set, else None.

    Raises
    ------
    KeyError
        ``data.files`` lacks one of train, val, test.
    """
    files = data_cfg["files"]
    if not files:
        return None
    missing = set(SPLITS) - set(files)
    if missing:
        raise KeyError(f"data.files needs the keys train, val, test; missing {sorted(missing)}")
    return {split: str(files[split]) for split in SPLITS}


def resolved_format(path: str, data_cfg: Mapping) -> str:
    """``data.format``, or the format detected from ``path`` when it is "auto" and one file."""
    fmt = data_cfg["format"]
    return detect_format(path) if fmt == "auto" and Path(path).is_file() else fmt


def ensure_data_path(data_cfg: Mapping) -> Path:
    """``data.path``, generated first when it is a missing file that ``data.generate`` describes.

    Raises
    ------
    ValueError
        Neither ``data.path`` nor ``data.files`` is set.
    """
    if not data_cfg["path"]:
        raise ValueError("set data.path (one file, split randomly) or data.files (one per split)")
    path = Path(data_cfg["path"])
    generate = data_cfg["generate"]
    # Without data.generate the file is only read: the readers refuse a partly generated file of
    # ours themselves, and public files (npz, ROOT) have no generation status to consult.
    if generate is not None and not glob.has_magic(str(path)):
        what = f"{generate['n']} {generate['dataset']} jets with Pythia (a few minutes)"
        ensure_generated(path, generate, pythia_generator(path, generate), what)
    return path


def _read(path: str, split: str | None, data_cfg: Mapping, impact_parameters: bool) -> JetData:
    return load_jets(
        path,
        format=data_cfg["format"],
        split=split,
        max_particles=data_cfg["max_particles"],
        max_jets=data_cfg["max_jets"],
        impact_parameters=impact_parameters,
    )


def load_jet_splits(data_cfg: Mapping, impact_parameters: bool = False) -> dict[str, JetData]:
    """Read train/val/test jets as configured (see the module docstring).

    Parameters
    ----------
    data_cfg : mapping
        The ``data`` block of the config.
    impact_parameters : bool
        Read JetClass's track impact parameters too (``data.impact_parameters`` of tagging).

    Returns
    -------
    dict of str to JetData
        Keys train, val, test.
    """
    files = split_files(data_cfg)
    if files is not None:
        return {
            split: _read(
                path,
                split if resolved_format(path, data_cfg) in MULTI_SPLIT_FORMATS else None,
                data_cfg,
                impact_parameters,
            )
            for split, path in files.items()
        }
    path = str(ensure_data_path(data_cfg))
    if resolved_format(path, data_cfg) in MULTI_SPLIT_FORMATS:
        return {split: _read(path, split, data_cfg, impact_parameters) for split in SPLITS}
    jets = _read(path, None, data_cfg, impact_parameters)
    indices = split_indices(len(jets), data_cfg["split_fractions"], data_cfg["split_seed"], jets.source)
    return {name: jets.subset(index) for name, index in indices.items()}
