"""Whether a generated data file is complete, partial (and how far), or not a generator file.

Every file our generators write can be checked before use, so that an interrupted generation is
never taken for a complete one:

- HDF5 files of the chunked generators (top tagging, quark-gluon, ttbar/SPANet) record
  ``n_requested`` when they start and ``complete = True`` after their last chunk
  (:class:`lorentznets.data.generate.h5_writer.ChunkedH5Writer`); files from before these
  attributes count as complete when they hold the rows asked for.
- ``.npy`` files (amplitudes ``<process>.npy``, event generation ``ttbar_<n>j.npy``) are written
  to a temporary name and renamed, so one that exists was written whole; it is checked for
  truncation (size against its header) and for the number of rows asked for.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lorentznets.data.convert.h5_files import open_h5
from lorentznets.data.convert.npy_file import npy_header
from lorentznets.data.generate.h5_writer import COMPLETE_ATTR, REQUESTED_ATTR, ROWS_ATTR, SETTINGS_ATTR

State = Literal["missing", "complete", "partial", "unreadable", "external"]

GENERATED_SUFFIXES = (".h5", ".hdf5", ".npy")
"""The suffixes of the files our generators write; other files are ``"external"``."""


@dataclass(frozen=True)
class GenerationStatus:
    """What a data file holds compared with what was asked for.

    Attributes
    ----------
    path : Path
    state : str
        ``"missing"``: no file. ``"complete"``: all requested rows are there. ``"partial"``: an
        interrupted or smaller generation (see ``resumable``). ``"unreadable"``: truncated or not
        in its format; generate it again with ``overwrite``. ``"external"``: a readable file
        that no generator of ours wrote (e.g. a public dataset); use it as it is.
    rows : int or None
        Rows in the file (None when missing or unreadable).
    n_requested : int or None
        Rows asked for: the caller's ``n_requested``, else the file's own record.
    resumable : bool
        A partial file that the generator continues with ``resume`` (``--resume``); a partial
        ``.npy`` file is generated again instead.
    message : str
        One line for a log or an error, naming the file and what to do.
    """

    path: Path
    state: State
    rows: int | None
    n_requested: int | None
    resumable: bool
    message: str

    @property
    def complete(self) -> bool:
        """Whether the file can be used as it is (complete, or external)."""
        return self.state in ("complete", "external")


def _h5_status(path: Path, n_requested: int | None) -> GenerationStatus:
    try:
        file = open_h5(path)
    except ValueError as error:
        return GenerationStatus(path, "unreadable", None, n_requested, False, f"{error}; generate it again (overwrite)")
    with file:
        attrs = dict(file.attrs)
    if SETTINGS_ATTR not in attrs:
        return GenerationStatus(path, "external", None, n_requested, False, f"{path}: not written by our generators")
    rows = int(attrs.get(ROWS_ATTR, 0))
    stored = attrs.get(REQUESTED_ATTR)
    wanted = n_requested if n_requested is not None else (None if stored is None else int(stored))
    finished = attrs.get(COMPLETE_ATTR)
    generator = json.loads(attrs[SETTINGS_ATTR]).get("generator", "the generator")
    if (finished is None or bool(finished)) and (wanted is None or rows >= wanted):
        return GenerationStatus(path, "complete", rows, wanted, False, f"{path}: complete, {rows} rows")
    if finished is not None and not bool(finished):
        why = "an interrupted generation"
    else:
        why = f"a complete generation of {rows} rows, fewer than asked for"
    message = (
        f"{path}: partial, {rows} of {wanted if wanted is not None else '?'} rows ({why}); continue it with "
        f"{generator}'s --resume (the Python entry point's resume=True), or replace it with --overwrite"
    )
    return GenerationStatus(path, "partial", rows, wanted, True, message)


def _npy_status(path: Path, n_requested: int | None) -> GenerationStatus:
    try:
        shape, _, _ = npy_header(path)
    except ValueError as error:
        return GenerationStatus(path, "unreadable", None, n_requested, False, f"{error}; generate it again")
    rows = int(shape[0]) if shape else 0
    if n_requested is not None and rows < n_requested:
        message = f"{path}: partial, {rows} of {n_requested} rows; generate it again with the larger number"
        return GenerationStatus(path, "partial", rows, n_requested, False, message)
    return GenerationStatus(path, "complete", rows, n_requested, False, f"{path}: complete, {rows} rows")


def generation_status(path: str | os.PathLike, n_requested: int | None = None) -> GenerationStatus:
    """Check a generated data file before using it.

    Parameters
    ----------
    path : str or os.PathLike
        An HDF5 file of a chunked generator (``.h5``, ``.hdf5``) or a ``.npy`` file; any other
        file (a public ``.npz`` or ``.root`` file) is ``"external"``.
    n_requested : int or None
        Rows the caller needs (e.g. the config's ``data.generate.n``); None trusts the number
        the file recorded when its generation started.

    Returns
    -------
    GenerationStatus

    Examples
    --------
    >>> generation_status("data/cache/nothing_here.h5").state
    'missing'
    """
    path = Path(path)
    if not path.exists():
        return GenerationStatus(path, "missing", None, n_requested, False, f"{path}: does not exist")
    if path.suffix.lower() == ".npy":
        return _npy_status(path, n_requested)
    if path.suffix.lower() not in GENERATED_SUFFIXES:
        # no generator of ours writes it (a public .npz or .root file): used as it is
        return GenerationStatus(path, "external", None, n_requested, False, f"{path}: not written by our generators")
    return _h5_status(path, n_requested)
