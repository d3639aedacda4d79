"""Jet files split into train/val/test as configured: shared by tagging and top-momentum
regression, which read the same files.

Where the splits come from, in order:

1. ``data.files`` (``{train, val, test}``): one file or glob per split;
2. ``data.path`` naming a file that stores its own splits (L-GATr's npz): those splits;
3. ``data.path`` otherwise: its jets split by ``data.split_fractions`` with ``data.split_seed``,
   generated first if the file is missing and ``data.generate`` allows.

``data.max_jets`` caps each split (1, 2) or the file before splitting (3); over a glob the cap is
shared among the files in proportion to their sizes.

Streamed splits (:func:`jet_split_ranges`) are row ranges of the files instead: in case 3 every
file is cut into consecutive train, val and test ranges by ``data.split_fractions`` (a stream
cannot pick random rows), so every file, and with it every class, is in every split.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Mapping
from pathlib import Path

from experiments.common.generated_data import ensure_generated, pythia_generator
from experiments.common.splits import SPLITS, split_bounds, split_indices
from lorentznets.data.readers import JetData, ReadingOptions, detect_format, load_jets
from lorentznets.data.readers.file_ranges import FileRange, file_ranges
from lorentznets.data.readers.formats import expand_paths
from lorentznets.data.readers.reading_options import DEFAULT_READING

# Formats whose files hold all three splits, told apart by a ``split`` argument.
MULTI_SPLIT_FORMATS = ("lgatr_npz",)

LOGGER = logging.getLogger("lorentznets")


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


def _split_sources(data_cfg: Mapping) -> dict[str, tuple[str, str | None]] | str:
    """Where the splits come from (cases 1-3 of the module docstring).

    Returns
    -------
    dict of str to (str, str or None), or str
        Cases 1 and 2: the file (or glob) of each of train, val, test and the split to read
        inside it (None but for formats in :data:`MULTI_SPLIT_FORMATS`); case 3: the path whose
        jets are split by ``data.split_fractions``.
    """
    files = split_files(data_cfg)
    if files is not None:
        sources = {
            split: (path, split if resolved_format(path, data_cfg) in MULTI_SPLIT_FORMATS else None)
            for split, path in files.items()
        }
        _refuse_shared_files({split: path for split, (path, inner) in sources.items() if inner is None})
        return sources
    path = str(ensure_data_path(data_cfg))
    if resolved_format(path, data_cfg) in MULTI_SPLIT_FORMATS:
        return {split: (path, split) for split in SPLITS}
    return path


def _refuse_shared_files(patterns: Mapping[str, str]) -> None:
    """Refuse a training file that another split reads too (its metrics would be measured on
    training jets); warn when validation and test share files.

    Raises
    ------
    ValueError
        Naming the two splits and a file they share.
    """
    seen: dict[Path, str] = {}
    for split, pattern in patterns.items():
        for path in expand_paths(pattern):
            other = seen.setdefault(Path(path).resolve(), split)
            if other == split:
                continue
            message = f"the {other} and {split} splits both read {path}"
            if "train" in (other, split):
                raise ValueError(
                    f"{message}: give each split its own files in data.files, or one file in data.path split "
                    "by data.split_fractions"
                )
            LOGGER.warning("%s: the test metrics are those of the validation jets", message)


def _read(path: str, split: str | None, data_cfg: Mapping, reading: ReadingOptions) -> JetData:
    """Read one split's file(s) with the reading options ``reading``."""
    return load_jets(
        path,
        format=data_cfg["format"],
        split=split,
        max_particles=data_cfg["max_particles"],
        max_jets=data_cfg["max_jets"],
        reading=reading,
    )


def load_jet_splits(data_cfg: Mapping, reading: ReadingOptions = DEFAULT_READING) -> dict[str, JetData]:
    """Read train/val/test jets as configured (see the module docstring).

    Parameters
    ----------
    data_cfg : mapping
        The ``data`` block of the config.
    reading : ReadingOptions
        How the readers build the jets (tagging: from ``data.impact_parameters``,
        ``data.constituent_mass`` and ``data.features``).

    Returns
    -------
    dict of str to JetData
        Keys train, val, test.
    """
    sources = _split_sources(data_cfg)
    if isinstance(sources, dict):
        return {split: _read(path, inner, data_cfg, reading) for split, (path, inner) in sources.items()}
    jets = _read(sources, None, data_cfg, reading)
    indices = split_indices(len(jets), data_cfg["split_fractions"], data_cfg["split_seed"], jets.source)
    return {name: jets.subset(index) for name, index in indices.items()}


def _fraction_ranges(part: FileRange, fractions: list[float]) -> dict[str, FileRange]:
    bounds = [part.start + bound for bound in split_bounds(len(part), fractions)]
    return {
        split: FileRange(part.path, part.format, part.split, start, stop)
        for split, start, stop in zip(SPLITS, bounds[:-1], bounds[1:], strict=True)
    }


def jet_split_ranges(data_cfg: Mapping) -> dict[str, list[FileRange]]:
    """The file row ranges of train/val/test for streaming (see the module docstring).

    Returns
    -------
    dict of str to list of FileRange
        Keys train, val, test; files whose range in a split is empty are left out of it.

    Raises
    ------
    ValueError
        A split gets no jets.
    """
    sources = _split_sources(data_cfg)
    fmt, max_jets = data_cfg["format"], data_cfg["max_jets"]
    if isinstance(sources, dict):
        ranges = {split: file_ranges(path, fmt, inner, max_jets) for split, (path, inner) in sources.items()}
    else:
        cut = [
            _fraction_ranges(part, data_cfg["split_fractions"]) for part in file_ranges(sources, fmt, None, max_jets)
        ]
        ranges = {split: [parts[split] for parts in cut if len(parts[split])] for split in SPLITS}
    for split, parts in ranges.items():
        if not parts:
            source = sources[split][0] if isinstance(sources, dict) else sources
            raise ValueError(f"the {split} split of {source} holds no jets")
    return ranges
