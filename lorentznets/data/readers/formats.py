"""The jet formats: which reader handles a file, and the files a path or glob names."""

from __future__ import annotations

import glob
import os
import zipfile
from pathlib import Path
from types import ModuleType

from . import energyflow_npz, jetclass_root, landscape_h5, lgatr_npz, lgn_h5

# Order matters for "auto": the first reader whose suffix and keys match wins.
READERS: dict[str, ModuleType] = {
    module.FORMAT: module for module in (lgn_h5, landscape_h5, lgatr_npz, energyflow_npz, jetclass_root)
}


def available_formats() -> list[str]:
    """Names accepted by ``load_jets(format=...)`` besides "auto"."""
    return list(READERS)


def reads_ranges(format: str, path: Path) -> bool:
    """Whether the reader of ``format`` reads ``path`` by jet ranges, chunk after chunk.

    A format reads ranges when its reader has ``read_range``; a reader that reads only some of its
    files by ranges also has ``reads_ranges(path)`` (EnergyFlow: HDF5 yes, ``.npz`` archives no,
    since they must be decompressed whole).
    """
    reader = READERS[format]
    if not hasattr(reader, "read_range"):
        return False
    return not hasattr(reader, "reads_ranges") or reader.reads_ranges(path)


def detect_format(path: str | os.PathLike) -> str:
    """Format of one file, from its extension and keys.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        No reader recognises it; the message lists the formats and what each expects.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    candidates = [name for name, module in READERS.items() if path.suffix.lower() in module.SUFFIXES]
    for name in candidates:
        try:
            if READERS[name].detect(path):
                return name
        except (OSError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: cannot open as {name}: {error}") from error
    raise ValueError(
        f"{path}: cannot detect the jet format from suffix '{path.suffix}' and keys; "
        f"pass format= one of {available_formats()}"
    )


def expand_paths(path: str | os.PathLike) -> list[Path]:
    """One existing file, or the sorted matches of a glob pattern.

    Raises
    ------
    FileNotFoundError
        Nothing matches; the message names the path or pattern.
    """
    text = os.fspath(path)
    if Path(text).is_file():
        return [Path(text)]
    if Path(text).is_dir():
        raise FileNotFoundError(f"{text}: is a directory; pass a file or a glob such as '{text}/*.root'")
    if glob.has_magic(text):
        matches = sorted(Path(p) for p in glob.glob(text) if Path(p).is_file())
        if matches:
            return matches
        raise FileNotFoundError(f"{text}: no file matches this pattern")
    raise FileNotFoundError(f"{text}: no such file")
