"""Command line options shared by every generator."""

from __future__ import annotations

import argparse
from pathlib import Path

from lorentznets.data.cli_types import positive_int

MAX_PYTHIA_SEED = 900_000_000


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_PYTHIA_SEED:
        raise argparse.ArgumentTypeError(
            f"Pythia seeds lie in [0, {MAX_PYTHIA_SEED}] (chunk c uses seed + c), got {text}"
        )
    return value


def add_common_arguments(
    parser: argparse.ArgumentParser, *, default_n: int, default_out: str, default_chunk: int
) -> None:
    """Add ``--n --seed --out --workers --chunk-size --resume --overwrite --mpi``."""
    parser.add_argument("--n", type=positive_int, default=default_n, help="number of rows")
    parser.add_argument("--seed", type=_seed, default=1, help="base seed; chunk c uses Random:seed = seed + c")
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
