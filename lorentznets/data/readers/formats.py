"""The jet formats: which reader handles a file, and the files a path or glob names."""

from __future__ import annotations

import glob
import os
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

from lorentznets.data.convert.pid import CONSTITUENT_MASSES, PID_FEATURES, check_constituent_mass, check_pid_features

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


def reader_options(
    format: str,
    path: str | os.PathLike,
    impact_parameters: bool = False,
    constituent_mass: str = "pdg",
    pid_features: str = "lorentznets",
) -> dict[str, Any]:
    """Keyword arguments of the reader of ``format`` (``read``, ``read_range``) for the reading
    options that differ from their defaults: a reader takes only the options it has.

    Parameters
    ----------
    format : str
        The file's format.
    path : str or os.PathLike
        The file, for the message.
    impact_parameters : bool
        JetClass ROOT: the four track impact-parameter features after the particle IDs (the
        caller refuses other formats).
    constituent_mass : str
        One of :data:`~lorentznets.data.convert.pid.CONSTITUENT_MASSES`: the mass the EnergyFlow
        reader gives each constituent when it builds the energies from (pt, y, phi, pid).
    pid_features : str
        One of :data:`~lorentznets.data.convert.pid.PID_FEATURES`: the scalars the EnergyFlow
        reader builds from the PDG codes. Other formats' scalars are the file's whatever this
        says (JetClass's are weaver's six flags already).

    Raises
    ------
    ValueError
        An unknown ``constituent_mass`` or ``pid_features``, or a ``constituent_mass`` other than
        "pdg" for a format whose files store four-momenta (every format but "energyflow_npz"): the
        energies are the file's.
    """
    check_constituent_mass(constituent_mass)
    check_pid_features(pid_features)
    options: dict[str, Any] = {"impact_parameters": True} if impact_parameters else {}
    if constituent_mass != CONSTITUENT_MASSES[0]:
        if format != energyflow_npz.FORMAT:
            raise ValueError(
                f"{os.fspath(path)}: constituent_mass={constituent_mass!r} applies to EnergyFlow (pt, y, phi, pid) "
                f"files only, whose energies the reader builds; format {format!r} stores four-momenta"
            )
        options["constituent_mass"] = constituent_mass
    if pid_features != PID_FEATURES[0] and format == energyflow_npz.FORMAT:
        options["pid_features"] = pid_features
    return options


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
