"""Appending chunks of rows to an HDF5 file so that an interrupted run keeps what it wrote."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lorentznets.data.convert.h5_files import h5py_module, open_h5

if TYPE_CHECKING:
    import h5py

LOGGER = logging.getLogger(__name__)

SETTINGS_ATTR = "generator_settings"
CHUNKS_ATTR = "chunks_done"
ROWS_ATTR = "rows_done"
# Written when a generation starts; COMPLETE_ATTR turns True only after the last chunk.
REQUESTED_ATTR = "n_requested"
COMPLETE_ATTR = "complete"


class ChunkedH5Writer:
    """HDF5 file whose datasets grow by one chunk of rows at a time.

    Every dataset has the rows on axis 0 and is resizable along it. The file is flushed as soon as
    it is created and after each chunk, when it records ``chunks_done`` and ``rows_done``, so a
    killed run can be resumed: reopening with ``resume=True`` checks that the settings match and
    cuts the datasets back to the last complete chunk. ``n_requested`` records the rows asked for
    and ``complete`` stays False until :meth:`mark_complete` (see
    :func:`lorentznets.data.generate.status.generation_status`). Resuming a file that holds no
    chunk yet starts it again (whatever its settings), and says so.

    Parameters
    ----------
    path : Path
        Output file.
    settings : dict
        JSON-serialisable generator settings (seed, chunk size, Pythia lines, cuts, ...). They are
        stored as the file attribute ``generator_settings`` and must match on resume.
    chunk_size : int
        Rows per complete chunk.
    resume : bool
        Continue an existing file.
    overwrite : bool
        Replace an existing file.
    n_requested : int or None
        Rows this run will write in all, stored as ``n_requested``.
    """

    def __init__(
        self,
        path: Path,
        settings: dict[str, Any],
        chunk_size: int,
        *,
        resume: bool = False,
        overwrite: bool = False,
        n_requested: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.chunk_size = chunk_size
        encoded = json.dumps(settings, sort_keys=True)
        exists = self.path.exists()
        if exists and not (resume or overwrite):
            raise FileExistsError(f"{self.path} exists; pass --resume to continue it or --overwrite to replace it")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if exists and resume and self._open_for_resume(encoded):
            self._truncate_to_complete_chunks()
            kept = (self.path, self.rows_done, self.chunks_done)
            LOGGER.warning("resuming %s: %d rows in %d complete chunks kept", *kept)
        else:
            self.file = h5py_module().File(self.path, "w")
            self.file.attrs[SETTINGS_ATTR] = encoded
            for key, value in settings.items():
                if isinstance(value, (int, float, str, bool)):
                    self.file.attrs[key] = value
            self.file.attrs[CHUNKS_ATTR] = 0
            self.file.attrs[ROWS_ATTR] = 0
        self.file.attrs[COMPLETE_ATTR] = False
        if n_requested is not None:
            self.file.attrs[REQUESTED_ATTR] = n_requested
        # A run killed before its first chunk then leaves a readable file that resume restarts.
        self.file.flush()

    def _open_for_resume(self, encoded: str) -> bool:
        """Open the existing file to continue it; False when it holds no chunk and is started again."""
        try:
            file = open_h5(self.path, "a")
        except ValueError as error:
            raise ValueError(f"cannot resume: {error}; pass --overwrite to generate it again") from error
        stored = file.attrs.get(SETTINGS_ATTR)
        if stored is not None and int(file.attrs.get(ROWS_ATTR, 0)) == 0:
            file.close()
            LOGGER.warning("%s holds no generated rows yet (an interrupted start?): starting it again", self.path)
            return False
        if stored != encoded:
            file.close()
            what = "is not a generator file" if stored is None else "was generated with other settings"
            raise ValueError(
                f"cannot resume {self.path}: it {what} (attribute '{SETTINGS_ATTR}' is {stored!r}, this run uses "
                f"{encoded!r}); pass --overwrite to replace it, or generate into another --out"
            )
        self.file = file
        return True

    @property
    def chunks_done(self) -> int:
        """Number of complete chunks in the file."""
        return int(self.file.attrs[CHUNKS_ATTR])

    @property
    def rows_done(self) -> int:
        """Number of rows in the file."""
        return int(self.file.attrs[ROWS_ATTR])

    def _datasets(self) -> dict[str, h5py.Dataset]:
        found: dict[str, h5py.Dataset] = {}
        dataset_type = h5py_module().Dataset

        def visit(name: str, item: h5py.Group | h5py.Dataset) -> None:
            if isinstance(item, dataset_type):
                found[name] = item

        self.file.visititems(visit)
        return found

    def _truncate_to_complete_chunks(self) -> None:
        # A partial last chunk (the tail of a smaller --n) is dropped so that chunk c always
        # holds the same rows whatever --n was, keeping resumed files identical to fresh ones.
        chunks = self.rows_done // self.chunk_size
        rows = chunks * self.chunk_size
        for dataset in self._datasets().values():
            dataset.resize(rows, axis=0)
        self.file.attrs[CHUNKS_ATTR] = chunks
        self.file.attrs[ROWS_ATTR] = rows
        self.file.flush()

    def append(self, arrays: dict[str, np.ndarray]) -> None:
        """Append one chunk and flush.

        Parameters
        ----------
        arrays : dict of str to np.ndarray
            Dataset path (``"INPUTS/Source/pt"`` creates groups) to rows, all with the same length
            on axis 0; on the first chunk this fixes the datasets and their dtypes.
        """
        lengths = {key: len(value) for key, value in arrays.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"chunk for {self.path} has datasets of different lengths: {lengths}")
        n_new = next(iter(lengths.values()))
        start = self.rows_done
        existing = self._datasets()
        if existing and set(existing) != set(arrays):
            raise KeyError(f"chunk keys {sorted(arrays)} differ from the datasets in {self.path}: {sorted(existing)}")
        for key, value in arrays.items():
            value = np.asarray(value)
            if key not in existing:
                row_bytes = max(value[0:1].nbytes, 1)
                self.file.create_dataset(
                    key,
                    data=value,
                    maxshape=(None, *value.shape[1:]),
                    chunks=(max(1, min(len(value), (1 << 20) // row_bytes)), *value.shape[1:]) if len(value) else True,
                    compression="gzip",
                    compression_opts=4,
                )
                continue
            dataset = existing[key]
            if dataset.shape[1:] != value.shape[1:]:
                raise ValueError(
                    f"{self.path}:{key} has rows of shape {dataset.shape[1:]}, chunk has {value.shape[1:]}"
                )
            dataset.resize(start + n_new, axis=0)
            dataset[start:] = value
        self.file.attrs[CHUNKS_ATTR] = self.chunks_done + 1
        self.file.attrs[ROWS_ATTR] = start + n_new
        self.file.flush()

    def mark_complete(self) -> None:
        """Record that every requested row is written (attribute ``complete``) and flush."""
        self.file.attrs[COMPLETE_ATTR] = True
        self.file.flush()

    def close(self) -> None:
        """Close the file."""
        self.file.close()

    def __enter__(self) -> ChunkedH5Writer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
