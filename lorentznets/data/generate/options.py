"""Command line options shared by every generator."""

from __future__ import annotations

import argparse
from pathlib import Path

from lorentznets.data.cli_types import int_in_range, positive_int

MAX_PYTHIA_SEED = 900_000_000
"""Largest ``Random:seed`` Pythia accepts (0 would seed from the clock)."""
MAX_SEED = 8_999
"""Largest ``--seed``."""
PYTHIA_DATASETS = ("toptagging", "quarkgluon", "ttbar")
"""The generators that run Pythia and take seeds in [0, :data:`MAX_SEED`]."""
MAX_CHUNKS = 50_000
"""Most chunks of one file."""
STREAM_OFFSET = 450_000_000
"""Distance between the Pythia seeds of the two processes (streams) of a two-class dataset."""
SEEDING = f"Random:seed = 1 + stream * {STREAM_OFFSET} + seed * {MAX_CHUNKS} + chunk"
"""The rule of :func:`pythia_seed`, stored in the files' settings: a file begun under another rule
(``seed + chunk`` before 2026-12-07) is not resumed with this one."""


def pythia_seed(seed: int, chunk: int, stream: int = 0) -> int:
    """``Random:seed`` of chunk ``chunk`` of a file made with ``--seed seed``.

    ``1 + stream * 450000000 + seed * 50000 + chunk``: distinct for every (seed, chunk, stream)
    with ``seed <= 8999``, ``chunk < 50000`` and stream 0 or 1 (the second process of a two-class
    dataset), so that files of different seeds share no Pythia run, and never 0.

    Parameters
    ----------
    seed : int
        ``--seed``, in [0, :data:`MAX_SEED`].
    chunk : int
        Chunk index, in [0, :data:`MAX_CHUNKS`).
    stream : int
        0, or 1 for the second process of a two-class dataset.

    Returns
    -------
    int
        In [1, :data:`MAX_PYTHIA_SEED`].
    """
    if not (0 <= seed <= MAX_SEED and 0 <= chunk < MAX_CHUNKS and stream in (0, 1)):
        raise ValueError(f"no Pythia seed for seed {seed}, chunk {chunk}, stream {stream}")
    return 1 + stream * STREAM_OFFSET + seed * MAX_CHUNKS + chunk


def check_chunk_count(args: argparse.Namespace) -> None:
    """Refuse more than :data:`MAX_CHUNKS` chunks of ``--chunk-size`` rows for ``--n`` rows.

    Raises
    ------
    ValueError
        Naming the smallest ``--chunk-size`` that fits.
    """
    chunks = -(-args.n // args.chunk_size)
    if chunks > MAX_CHUNKS:
        raise ValueError(
            f"--n {args.n} in chunks of --chunk-size {args.chunk_size} makes {chunks} chunks, more than the "
            f"{MAX_CHUNKS} a file can have (each is one Pythia seed); use --chunk-size >= {-(-args.n // MAX_CHUNKS)}"
        )


def add_common_arguments(
    parser: argparse.ArgumentParser, *, default_n: int, default_out: str, default_chunk: int
) -> None:
    """Add ``--n --seed --out --workers --chunk-size --resume --overwrite --mpi``."""
    parser.add_argument("--n", type=positive_int, default=default_n, help="number of rows")
    parser.add_argument(
        "--seed",
        type=int_in_range(0, MAX_SEED),
        default=1,
        help=f"base seed in [0, {MAX_SEED}]; chunk c uses Random:seed = 1 + seed * {MAX_CHUNKS} + c (docs/data.md)",
    )
    parser.add_argument("--out", type=Path, default=Path(default_out), help="output file")
    parser.add_argument("--workers", type=positive_int, default=1, help="worker processes")
    parser.add_argument(
        "--chunk-size",
        type=positive_int,
        default=default_chunk,
        help="rows per chunk; each chunk is one Pythia run and one flushed HDF5 write",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true", help="continue an interrupted file with the same settings")
    mode.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    parser.add_argument("--mpi", action="store_true", help="keep multi-parton interactions on (slower, realistic)")


def add_veto_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-veto``, which switches off the early jet veto of the jet-tagging generators."""
    parser.add_argument(
        "--no-veto",
        action="store_true",
        help="run every event through hadronisation and clustering (same jets, about 2x slower)",
    )
