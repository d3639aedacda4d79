"""Write generated amplitude events to ``<out_dir>/<process>.npy`` (the L-GATr amplitude layout)."""

from __future__ import annotations

import inspect
import os
import zlib
from dataclasses import asdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .couplings import Couplings
from .events import generate_events
from .processes import get_process

__all__ = ["write_process_file", "process_seed"]

PHASE_SPACE = "unweighted"
"""Recorded in ``<process>.meta.txt``: events follow flat phase space (RAMBO's weights of massive
final states unweighted since 2026-12-07; earlier files lack the key)."""

PHASE_SPACE_KEYS = ("sqrt_s", "pt_min", "delta_r_min", "max_boost_rapidity")
"""The phase-space settings of :func:`generate_events`, recorded in every ``<process>.meta.txt``
(files written by :func:`write_process_file` before 2026-12-07 recorded only those passed to it;
the others had the defaults)."""


def process_seed(seed: int, process_name: str) -> np.random.SeedSequence:
    """Independent, reproducible random stream per (seed, process)."""
    return np.random.SeedSequence([seed, zlib.crc32(process_name.encode())])


def write_process_file(
    out_dir: str | os.PathLike,
    process_name: str,
    n_events: int,
    seed: int = 0,
    couplings: Couplings | None = None,
    chunk_events: int = 20000,
    progress: bool = True,
    **generation: float | str | None,
) -> Path:
    """Generate ``n_events`` of a process and save them as ``<out_dir>/<process_name>.npy``.

    The file is written to a temporary name first and then renamed, so an interrupted run never leaves
    a truncated file behind (:func:`lorentznets.data.generate.status.generation_status` checks one
    against the number of events wanted); temporary files of earlier interrupted runs are removed.
    ``<process_name>.meta.txt``, written before the rename, records the settings and ``n_events``.

    Parameters
    ----------
    out_dir : path
        Output directory (created if missing).
    process_name : str
        A key of :data:`lorentznets.data.amplitudes.processes.PROCESSES`.
    n_events : int
        Number of events.
    seed : int
        Base seed; each process draws from its own stream (:func:`process_seed`).
    couplings : Couplings or None
    chunk_events : int
        Events generated per step (bounds memory). The events are reproducible for a fixed
        (seed, chunk_events); another chunk size draws the random numbers in another order.
    progress : bool
        Show a progress bar.
    **generation
        Keyword arguments of :func:`lorentznets.data.amplitudes.events.generate_events`
        (``sqrt_s``, ``pt_min``, ``delta_r_min``, ``max_boost_rapidity``, ``backend``).

    Returns
    -------
    pathlib.Path
        The written file; array shape (n_events, 4 n + 1).
    """
    process = get_process(process_name)
    couplings = couplings or Couplings()
    rng = np.random.default_rng(process_seed(seed, process_name))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chunks = []
    with tqdm(total=n_events, desc=process_name, unit="ev", disable=not progress) as bar:
        while sum(c.shape[0] for c in chunks) < n_events:
            size = min(chunk_events, n_events - sum(c.shape[0] for c in chunks))
            chunks.append(generate_events(process, size, rng, couplings, **generation))
            bar.update(size)
    path = out_dir / f"{process_name}.npy"
    _remove_stale_temporaries(out_dir, process_name)
    tmp = out_dir / f".{process_name}.{os.getpid()}.tmp.npy"
    np.save(tmp, np.concatenate(chunks))
    # every phase-space setting, defaults included: a reuse compares them with what a run asks for
    settings = {
        **asdict(couplings),
        **phase_space_defaults(),
        **generation,
        "seed": seed,
        "n_events": n_events,
        "phase_space": PHASE_SPACE,
    }
    (out_dir / f"{process_name}.meta.txt").write_text("".join(f"{k}: {v}\n" for k, v in settings.items()))
    os.replace(tmp, path)
    return path


def phase_space_defaults() -> dict[str, float]:
    """The phase-space keyword arguments of :func:`generate_events` and their defaults (``sqrt_s``,
    ``pt_min``, ``delta_r_min``, ``max_boost_rapidity``)."""
    parameters = inspect.signature(generate_events).parameters
    return {name: parameters[name].default for name in PHASE_SPACE_KEYS}


def _remove_stale_temporaries(out_dir: Path, process_name: str) -> None:
    """Delete ``.<process>.<pid>.tmp.npy`` files whose writing process no longer runs."""
    for stale in out_dir.glob(f".{process_name}.*.tmp.npy"):
        pid = stale.name[len(process_name) + 2 : -len(".tmp.npy")]
        if pid.isdigit() and not _running(int(pid)):
            stale.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it runs, as another user
    return True
