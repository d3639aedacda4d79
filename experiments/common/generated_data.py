"""Generate-if-missing: one component and one config block (``data.generate``) for every
experiment that reads generated files.

``data.generate`` is ``{dataset, n, seed, workers, args}`` or null. A file that is missing is
generated; one left partial by an interrupted generation is resumed (chunked HDF5) or made
again (``.npy``), and the log says which; a complete file, or one that no generator of ours
wrote (a public dataset), is used as it is. Generation runs in this process (on the main rank
first, see :meth:`experiments.base_experiment.BaseExperiment.init_data`), so its worker
processes end with the run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.common.threads import available_cores
from lorentznets.data.generate.conventions import require_conventions
from lorentznets.data.generate.status import generation_status

LOGGER = logging.getLogger("lorentznets")

Generator = Callable[[bool, bool], Any]
"""Called as ``make(resume, overwrite)`` to write the file."""

HDF5_SUFFIXES = (".h5", ".hdf5")
"""File names the Pythia generator (:func:`pythia_generator`) writes: it writes HDF5."""


def ensure_generated(
    path: str | os.PathLike,
    generate: Mapping[str, Any] | None,
    make: Generator | None,
    what: str,
    hint: str = "",
    options: Sequence[str] = (),
    suffixes: Sequence[str] = HDF5_SUFFIXES,
) -> Path:
    """Make sure ``path`` holds a complete data file, generating or resuming it when allowed.

    Parameters
    ----------
    path : str or os.PathLike
        The data file.
    generate : mapping or None
        The ``data.generate`` block; None forbids generation.
    make : callable
        ``make(resume, overwrite)`` writes ``path`` with the settings of ``generate``.
    what : str
        What the file holds, for messages (e.g. ``"10000 toptagging jets"``).
    hint : str
        How to make the file by hand, added to the error when generation is off.
    options : sequence of str
        Generator options the experiment adds to ``generate["args"]`` (e.g. its cuts), compared
        with the file's conventions too.
    suffixes : sequence of str
        File name suffixes of the format ``make`` writes; a missing ``path`` with another suffix
        is refused before generating (a generated file under a ``.npz`` name would be read as the
        public format and fail on every later run). The amplitude writer's ``(".npy",)`` is what
        lets its missing ``<data.dir>/<process>.npy`` files be generated at all.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If the file is missing and ``generate`` is None, or generation did not produce it.
    ValueError
        If the file is missing and ``path`` has none of ``suffixes`` while ``generate`` is set; if
        it is unreadable (never replaced: it may not be ours), partial and ``generate`` is None,
        or was generated with other conventions than ``generate`` asks for (see
        :func:`lorentznets.data.generate.conventions.convention_differences`).
    """
    path = Path(path)
    if generate is not None and not path.exists() and path.suffix.lower() not in suffixes:
        raise ValueError(
            f"data.path={path} does not exist, and data.generate would write {' or '.join(suffixes)} data to this "
            f"{path.suffix or 'suffix-less'} name: put the {path.suffix or 'public'} file there, give data.path a "
            f"{suffixes[0]} name to generate one, or set data.generate=null"
        )
    status = generation_status(path, None if generate is None else int(generate["n"]))
    if generate is not None and status.state in ("complete", "partial"):
        # A file of ours written with other conventions (an older default, other cuts) is never reused.
        remedy = (
            "delete it to generate it again, point data.path elsewhere, match data.generate.args to the file, "
            "or set data.generate=null to use it as it is"
        )
        arguments = [*(str(a) for a in generate["args"] or ()), *options]
        require_conventions(path, str(generate["dataset"]), arguments, remedy)
    if status.complete:
        return path
    if status.state == "partial" and generation_status(path).complete:
        # A finished generation of fewer rows than data.generate.n asks for (e.g. a file made
        # with other settings): never changed behind the user's back.
        LOGGER.warning(
            "%s holds %d rows, fewer than data.generate.n=%s: using it as it is (point data.path elsewhere "
            "to generate %s)",
            path,
            status.rows,
            generate["n"] if generate else "?",
            generate["n"] if generate else "a new file",
        )
        return path
    if generate is None:
        if status.state == "missing":
            raise FileNotFoundError(
                f"data file {path} does not exist and data.generate is null (generation is off)"
                + (f"; {hint}" if hint else "")
            )
        raise ValueError(f"{status.message}; data.generate is null, so run.py does not do it")
    if status.state == "unreadable":
        # It may be anyone's file (one being copied, one another process holds locked): never replaced.
        raise ValueError(
            f"{status.message.split('; generate it again')[0]}; it is not replaced by a new generation: "
            "delete it to generate it again, or point data.path elsewhere"
        )
    resume = status.state == "partial" and status.resumable
    overwrite = status.state == "partial" and not resume
    if status.state == "missing":
        LOGGER.info("data file %s does not exist: generating %s", path, what)
    elif resume:
        LOGGER.warning("%s: resuming the interrupted generation", status.message)
    else:
        LOGGER.warning("%s: generating it again", status.message)
    path.parent.mkdir(parents=True, exist_ok=True)
    make(resume, overwrite)
    status = generation_status(path, int(generate["n"]))
    if not status.complete:
        raise FileNotFoundError(f"generating {what} did not complete {path}: {status.message}")
    return path


def generator_workers(generate: Mapping[str, Any]) -> int:
    """``data.generate.workers``, or the cores available to this process when null."""
    return int(generate["workers"]) if generate["workers"] else available_cores()


def pythia_generator(
    dataset_path: str | os.PathLike, generate: Mapping[str, Any], extra: tuple[str, ...] = ()
) -> Generator:
    """``make(resume, overwrite)`` running ``python -m lorentznets.data.generate <dataset>`` in process.

    Parameters
    ----------
    dataset_path : str or os.PathLike
        Output HDF5 file.
    generate : mapping
        ``data.generate``: ``dataset`` (toptagging, quarkgluon, ttbar), ``n``, ``seed``,
        ``workers``, ``args`` (further generator options).
    extra : tuple of str
        Options the experiment adds (e.g. ``--eventgen-dir``).
    """

    def make(resume: bool, overwrite: bool) -> None:
        from lorentznets.data.generate.cli import generate as run_generator

        options = [*(str(a) for a in generate["args"] or ()), *extra]
        try:
            run_generator(
                str(generate["dataset"]),
                dataset_path,
                int(generate["n"]),
                seed=int(generate["seed"]),
                workers=generator_workers(generate),
                resume=resume,
                overwrite=overwrite,
                options=options,
            )
        except SystemExit as error:  # argparse rejected an option and printed why
            raise ValueError(
                f"the {generate['dataset']} generator rejected its options {options} (exit code {error.code}; "
                "its message is above): check data.generate.args"
            ) from None

    return make
