"""A generated amplitude file is reused only with the phase-space settings it was made with; the
command that makes one by hand with them."""

from __future__ import annotations

import logging
import math
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from experiments.common.splits import split_bounds
from lorentznets.data.amplitudes.generate import DEFAULT_EVENTS
from lorentznets.data.amplitudes.writer import PHASE_SPACE, phase_space_defaults

LOGGER = logging.getLogger(__name__)


def read_meta(path: Path) -> dict[str, str] | None:
    """The ``key: value`` lines of ``<process>.meta.txt`` next to ``<process>.npy``, or None."""
    meta = path.with_suffix(".meta.txt")
    if not meta.is_file():
        return None
    pairs = (line.partition(":") for line in meta.read_text().splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, _, value in pairs}


def check_generated_settings(path: Path, phase_space: Mapping[str, Any], weighted_before: bool) -> None:
    """Refuse a generated file whose recorded phase space differs from ``data.phase_space``.

    Parameters
    ----------
    path : Path
        ``<data.dir>/<process>.npy``; a file without ``<process>.meta.txt`` (not ours) is used as is.
    phase_space : mapping
        ``data.phase_space`` (``sqrt_s``, ``pt_min``, ``delta_r_min``, ``max_boost_rapidity``).
    weighted_before : bool
        Whether the process has a massive particle among three or more final-state particles, whose
        files from before the unweighting (no ``phase_space`` line in the meta file) are biased: a
        warning says so.

    Raises
    ------
    ValueError
        Naming the file, the differing settings and what to do.
    """
    meta = read_meta(path)
    if meta is None:
        return
    differences = []
    defaults = phase_space_defaults()
    for key, wanted in phase_space.items():
        # a key a meta file lacks was not passed to the writer: the file has the generator default
        stored = meta.get(key, defaults.get(key))
        if stored is None:
            continue
        try:
            same = math.isclose(float(stored), float(wanted), rel_tol=1e-12)
        except ValueError:
            same = stored == str(wanted)
        if not same:
            differences.append(f"{key}: file has {stored}, data.phase_space asks for {wanted}")
    if differences:
        raise ValueError(
            f"{path} was generated with another phase space ({'; '.join(differences)}): delete it (and its "
            ".meta.txt) to generate it again, point data.dir elsewhere, or match data.phase_space to the file"
        )
    if weighted_before and meta.get("phase_space") != PHASE_SPACE:
        LOGGER.warning(
            "%s was generated before 2026-12-07, when events with a massive particle among three or more were "
            "not unweighted (about 3%% too many slow Z bosons in zgg): delete it to generate it again",
            path,
        )


def events_needed(max_events: int | None, train_size: int | None, split_fractions: Sequence[float]) -> int:
    """Events per process a file needs for the run's splits.

    ``data.max_events`` when set (the run reads no more); else, with ``data.train_size``, the fewest
    events whose training split (``data.split_fractions``) holds ``train_size``; else the run uses
    every event of the file, and the count is the generator's default.

    Parameters
    ----------
    max_events, train_size : int or None
        ``data.max_events`` and ``data.train_size``.
    split_fractions : sequence of 3 float
        ``data.split_fractions``.

    Returns
    -------
    int
    """
    if max_events is not None:
        return max_events
    if train_size is None or split_fractions[0] <= 0:
        return DEFAULT_EVENTS
    # round(f n) >= train_size from n = ceil((train_size - 1/2) / f) on; a few steps cover the rounding
    events = max(1, math.ceil((train_size - 0.5) / split_fractions[0]) - 1)
    while split_bounds(events, split_fractions)[1] < train_size:
        events += 1
    return events


def generator_command(process: str, out_dir: str | Path, phase_space: Mapping[str, Any], events: int) -> str:
    """The shell command that writes ``<out_dir>/<process>.npy`` as :func:`check_generated_settings`
    accepts it for ``phase_space`` (every setting a flag: the generator's defaults may differ).

    Parameters
    ----------
    process : str
        A generated process (``zg``, ...).
    out_dir : str or Path
        ``data.dir``.
    phase_space : mapping
        ``data.phase_space``; each key ``k`` is the generator's flag ``--k`` with ``-`` for ``_``.
    events : int
        ``--n``, e.g. :func:`events_needed`.
    """
    settings = " ".join(f"--{key.replace('_', '-')} {value!r}" for key, value in phase_space.items())
    return (
        f"python -m lorentznets.data.generate amplitudes --process {process} --n {events} "
        f"--out {shlex.quote(str(out_dir))} {settings}"
    )
