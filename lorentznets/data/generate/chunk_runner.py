"""Generating a file chunk by chunk, optionally in parallel worker processes.

Workers never outlive the generating process: each asks the kernel to kill it when its parent
dies (:func:`lorentznets.data.generate.worker_lifetime.die_with_parent`), so a run stopped with
SIGKILL leaves no Pythia running, and the pool is terminated when generation stops otherwise.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from lorentznets.data.generate.h5_writer import ChunkedH5Writer
from lorentznets.data.generate.worker_lifetime import die_with_parent

ChunkTask = Callable[[dict[str, Any], int, int], dict[str, np.ndarray]]


def chunk_plan(n_rows: int, chunk_size: int, first_chunk: int) -> list[tuple[int, int]]:
    """``(chunk index, rows)`` for the chunks still to generate, the last one possibly short."""
    n_chunks = -(-n_rows // chunk_size)
    return [(index, min(chunk_size, n_rows - index * chunk_size)) for index in range(first_chunk, n_chunks)]


def _call(task: ChunkTask, settings: dict[str, Any], item: tuple[int, int]):
    index, rows = item
    return task(settings, index, rows)


def generate_chunked_file(
    task: ChunkTask,
    settings: dict[str, Any],
    path: Path,
    n_rows: int,
    chunk_size: int,
    *,
    workers: int = 1,
    resume: bool = False,
    overwrite: bool = False,
    unit: str = "rows",
) -> Path:
    """Run ``task`` for every missing chunk and append the results to ``path`` in chunk order.

    Parameters
    ----------
    task : callable
        ``task(settings, chunk_index, rows) -> dict of arrays`` with ``rows`` rows each; a
        module-level function so that worker processes can import it. It must be a pure function
        of its arguments (seeding Pythia with ``pythia_seed(settings["seed"], chunk_index)``), which makes the
        file independent of ``workers`` and of interruptions.
    settings : dict
        JSON-serialisable settings, stored in the file and checked on resume.
    path : Path
        Output HDF5 file.
    n_rows : int
        Total rows wanted.
    chunk_size : int
        Rows per chunk.
    workers : int
        Worker processes; 1 runs in this process.
    resume, overwrite : bool
        See :class:`ChunkedH5Writer`; ``resume`` continues a partial file (and starts again one
        that holds no chunk yet).
    unit : str
        Progress-bar unit.

    Returns
    -------
    Path
        ``path``.
    """
    with ChunkedH5Writer(path, settings, chunk_size, resume=resume, overwrite=overwrite, n_requested=n_rows) as writer:
        plan = chunk_plan(n_rows, chunk_size, writer.chunks_done)
        call = functools.partial(_call, task, settings)
        with tqdm(total=n_rows, initial=min(writer.rows_done, n_rows), unit=unit, desc=Path(path).name) as progress:
            if workers == 1 or len(plan) <= 1:
                results = map(call, plan)
                for result in results:
                    writer.append(result)
                    progress.update(len(next(iter(result.values()))))
            else:
                context = multiprocessing.get_context("spawn")
                pool = context.Pool(min(workers, len(plan)), initializer=die_with_parent, initargs=(os.getpid(),))
                try:
                    for result in pool.imap(call, plan):
                        writer.append(result)
                        progress.update(len(next(iter(result.values()))))
                    pool.close()
                finally:
                    pool.terminate()
                    pool.join()
        writer.mark_complete()
    return Path(path)


def generate_from_args(task: ChunkTask, settings: dict[str, Any], args: argparse.Namespace, unit: str) -> Path:
    """:func:`generate_chunked_file` with the output, size and run options of the common CLI arguments."""
    return generate_chunked_file(
        task,
        settings,
        Path(args.out),
        args.n,
        args.chunk_size,
        workers=args.workers,
        resume=args.resume,
        overwrite=args.overwrite,
        unit=unit,
    )
