"""Per-event predictions of a trained model for new files, streamed into one HDF5 file.

``python run.py -cp runs/<exp>/<run> -cn config train=false warm_start_idx=<k>
predict.files=[a.root,'b/*.root']`` loads the model of run k and, instead of evaluating, writes
its predictions for every file (globs expand in sorted order) to ``predict.output`` (default
``runs/<exp>/<run>/predictions/model_run<k>_<timestamp>.h5``). The training data are neither
read nor generated. An experiment predicts through a ``predict_file(path)`` method that yields
dicts of per-event numpy arrays, chunk after chunk in file order (the tagging experiment's are
``scores`` (n, C) and, for files with labels, ``label`` (n,)); memory stays bounded by one such chunk. Its ``init_data``
expands ``predict.files`` once, with :func:`expand_predict_files`, into the attribute
``predict_files`` (the files may shape the model: the tagging experiment takes the width of the
scalars from them), and those files are predicted.

Layout of the output (N events of all files, in file order):

=========  ===========  ==============================================================
key        shape        meaning
=========  ===========  ==============================================================
``file``   (N,)         the event's input file, as given or expanded (UTF-8 bytes)
``index``  (N,)         int64, the event's index within its file (from 0)
<array>    (N, ...)     each array the experiment yields, e.g. ``scores``, ``label``
=========  ===========  ==============================================================

``file`` + ``index`` identify each event. The attributes hold the run folder, the model file and
``predict_attributes()`` of the experiment where it has them (the tagging experiment: the
class names of the score columns). The file is written next to its destination and renamed at
the end, so an interrupted run leaves no partial output.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from experiments.common.errors import ExperimentInputError
from lorentznets.data.convert.h5_files import partial_path
from lorentznets.data.readers.errors import error_message
from lorentznets.data.readers.formats import expand_paths

if TYPE_CHECKING:
    from experiments.base_experiment import BaseExperiment

LOGGER = logging.getLogger("lorentznets")

__all__ = ["expand_predict_files", "write_predictions", "write_run_predictions"]

_ROWS_PER_H5_CHUNK = 4096


def expand_predict_files(patterns: Sequence[str]) -> list[str]:
    """The files of ``predict.files``, in order: each pattern a file, or a glob expanded in sorted order.

    Raises
    ------
    FileNotFoundError
        A file or glob matches nothing; the message names it.
    """
    return [str(file) for pattern in patterns for file in expand_paths(pattern)]


def check_predict_output(output: str | os.PathLike, patterns: Sequence[str]) -> None:
    """Refuse a ``predict.output`` that would destroy data: one of the files to predict, a folder,
    or an existing file that is not a predictions file of ours (those are replaced, so that a
    prediction can be run again).

    Parameters
    ----------
    output : str or os.PathLike
        ``predict.output``.
    patterns : sequence of str
        ``predict.files`` (globs that match nothing are left to :func:`expand_predict_files`).

    Raises
    ------
    ValueError
        Naming the key, the path and why.
    """
    path = Path(output)
    if path.is_dir():
        raise ValueError(f"predict.output={str(output)!r} is a folder: give the HDF5 file to write")
    inputs = []
    for pattern in patterns:
        try:
            inputs += expand_paths(pattern)
        except FileNotFoundError:
            continue
    if path.exists() and any(path.resolve() == Path(name).resolve() for name in inputs):
        raise ValueError(f"predict.output={str(output)!r} is one of predict.files: it would be overwritten")
    partial = partial_path(path.resolve())  # written first, then renamed
    if any(partial == Path(name).resolve() for name in inputs):
        raise ValueError(
            f"predict.output={str(output)!r}: one of predict.files is its temporary file {partial.name}, which "
            "would be overwritten; rename that file first"
        )
    if path.exists() and not _is_predictions_file(path):
        raise ValueError(
            f"predict.output={str(output)!r} exists and is not a predictions file: it would be overwritten "
            "(remove it or choose another output)"
        )


def _is_predictions_file(path: Path) -> bool:
    """Whether ``path`` is an HDF5 file written by :func:`write_predictions` (it has ``files``)."""
    import h5py

    try:
        with h5py.File(path, "r") as file:
            return "files" in file.attrs and "index" in file
    except OSError:
        return False


def _create(file: Any, name: str, first: np.ndarray) -> Any:
    return file.create_dataset(
        name,
        shape=(0, *first.shape[1:]),
        maxshape=(None, *first.shape[1:]),
        dtype=first.dtype,
        chunks=(_ROWS_PER_H5_CHUNK, *first.shape[1:]),
        compression="gzip",
    )


def _append(dataset: Any, values: np.ndarray, name: str, source: str) -> None:
    if values.shape[1:] != dataset.shape[1:] or values.dtype != dataset.dtype:
        raise ValueError(
            f"{source}: prediction {name!r} has shape {values.shape[1:]} and dtype {values.dtype} per event, "
            f"the earlier events {dataset.shape[1:]} and {dataset.dtype}"
        )
    start = dataset.shape[0]
    dataset.resize(start + len(values), axis=0)
    dataset[start:] = values


def write_predictions(
    path: str | os.PathLike,
    files: Sequence[str],
    predict: Callable[[str], Iterator[Mapping[str, np.ndarray]]],
    attributes: Mapping[str, Any] | None = None,
) -> int:
    """Stream per-event arrays of several input files into one HDF5 file (see the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The HDF5 file to write (parent folders are created; an existing file is replaced).
    files : sequence of str
        The input files, in order.
    predict : callable
        ``predict(file)`` yields the file's chunks: dicts of arrays with one row per event, the
        same keys, trailing shapes and dtypes in every chunk of every file; it is called for one
        file after the other, so one chunk is held at a time.
    attributes : mapping or None
        File attributes (strings, numbers; others are stored as JSON text).

    Returns
    -------
    int
        Number of events written.

    Raises
    ------
    ValueError
        Chunks that disagree in keys, lengths, shapes or dtypes (naming the input file), or no
        event at all.
    """
    import h5py

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_path(path)
    # Fixed-length names compress to almost nothing, unlike variable-length strings.
    name_dtype = np.dtype(f"S{max(len(name.encode()) for name in files)}") if files else np.dtype("S1")
    try:
        with h5py.File(partial, "w") as file:
            datasets: dict[str, Any] = {}
            for name in files:
                written = 0
                for chunk in predict(name):
                    arrays = {key: np.asarray(value) for key, value in chunk.items()}
                    lengths = {len(value) for value in arrays.values()}
                    if len(lengths) != 1:
                        raise ValueError(f"{name}: prediction arrays of different lengths {sorted(lengths)}")
                    count = lengths.pop()
                    arrays["file"] = np.full(count, name.encode(), dtype=name_dtype)
                    arrays["index"] = np.arange(written, written + count, dtype=np.int64)
                    if not datasets:
                        datasets = {key: _create(file, key, value) for key, value in arrays.items()}
                    if set(arrays) != set(datasets):
                        raise ValueError(f"{name}: predictions {sorted(arrays)}, the earlier events {sorted(datasets)}")
                    for key, values in arrays.items():
                        _append(datasets[key], values, key, name)
                    written += count
            if not datasets:
                raise ValueError(f"no events to predict in {list(files)}")
            file.attrs["files"] = json.dumps(list(files))
            for key, value in (attributes or {}).items():
                file.attrs[key] = value if isinstance(value, (str, int, float)) else json.dumps(value)
            total = datasets["index"].shape[0]
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return total


def write_run_predictions(experiment: BaseExperiment, model_index: int) -> Path:
    """Write the predictions of the run's model for ``cfg.predict.files`` (evaluation weights).

    Parameters
    ----------
    experiment : BaseExperiment
        Set up with the weights of ``models/model_run<model_index>.pt``; it must offer
        ``predict_file(path)`` and hold ``predict_files``, the expanded ``predict.files``.
    model_index : int

    Returns
    -------
    pathlib.Path
        The HDF5 file written.

    Raises
    ------
    ValueError
        The experiment cannot predict files.
    experiments.common.errors.ExperimentInputError
        The experiment's reader finds a file bad (missing key, NaN momenta, ...): one line naming
        the file, as for training data.
    """
    cfg = experiment.cfg
    predict_file = getattr(experiment, "predict_file", None)
    if predict_file is None:
        raise ValueError(f"predict.files: the {cfg.experiment} experiment cannot predict files")
    files = experiment.predict_files
    stamp = datetime.now().strftime("%Y%m%d_%H%M%S_%f")
    default = experiment.run_dir.path / "predictions" / f"model_run{model_index}_{stamp}.h5"
    output = Path(cfg.predict.output) if cfg.predict.output is not None else default
    describe = getattr(experiment, "predict_attributes", None)
    attributes = {
        "run_dir": str(experiment.run_dir.path.resolve()),
        "model": experiment.run_dir.model_path(model_index).name,
        **(describe() if describe is not None else {}),
    }
    experiment.raw_model.eval()
    try:
        with torch.no_grad(), experiment.trainer.evaluation_weights():
            count = write_predictions(output, files, predict_file, attributes)
    except (FileNotFoundError, KeyError, ValueError) as error:
        message = error_message(error)
        raise ExperimentInputError(f"predict.files: {type(error).__name__}: {message}") from error
    LOGGER.info("predictions of %d events from %d files in %s", count, len(files), output)
    return output
