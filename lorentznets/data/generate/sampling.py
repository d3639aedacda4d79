"""Pieces shared by the generators: pTHat-window settings and collecting rows batch by batch."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np

from lorentznets.data.cli_types import check_window
from lorentznets.data.generate.options import pythia_seed

Rows = dict[str, np.ndarray]


def pthat_window(args: argparse.Namespace) -> list[str]:
    """Pythia settings for the pTHat window and the pTHat^power phase-space bias of ``args``.

    Raises
    ------
    ValueError
        For ``--pthat-max`` (when set, > 0) not above ``--pthat-min``, or a ``--pthat-min`` below
        1 GeV with the bias (it is the bias's reference scale, which Pythia keeps >= 1 GeV).
    """
    if args.bias_power > 0 and args.pthat_min < 1:
        raise ValueError(
            f"--pthat-min {args.pthat_min} must be at least 1 GeV with --bias-power {args.bias_power}: it is the "
            "reference scale of the pTHat bias (or use --bias-power 0)"
        )
    if args.pthat_max > 0:
        check_window(args.pthat_min, args.pthat_max, "--pthat-min", "--pthat-max")
    settings = [f"Beams:eCM = {args.ecm}", f"PhaseSpace:pTHatMin = {args.pthat_min}"]
    if args.pthat_max > 0:
        settings.append(f"PhaseSpace:pTHatMax = {args.pthat_max}")
    if args.bias_power > 0:
        settings += [
            "PhaseSpace:bias2Selection = on",
            f"PhaseSpace:bias2SelectionPow = {args.bias_power}",
            f"PhaseSpace:bias2SelectionRef = {args.pthat_min}",
        ]
    return settings


EMPTY_DRAWS_LIMIT = 200
"""Batches in a row without a selected row, from the start, after which :func:`collect_rows` gives up."""


def collect_rows(draw: Callable[[], Rows], n: int) -> Rows:
    """Call ``draw`` (one Pythia batch -> selected rows) until ``n`` rows exist; return exactly ``n``.

    Raises
    ------
    ValueError
        When the first :data:`EMPTY_DRAWS_LIMIT` batches select nothing (cuts that no event
        passes would otherwise keep it drawing forever).
    """
    pieces, have = [], 0
    while have < n:
        piece = draw()
        pieces.append(piece)
        have += len(next(iter(piece.values())))
        if have == 0 and len(pieces) >= EMPTY_DRAWS_LIMIT:
            raise ValueError(
                f"no event passed the selection in {len(pieces)} batches of events: loosen the cuts "
                "(pT window, |eta| or |y| range, jet radius, jet multiplicity)"
            )
    return {key: np.concatenate([p[key] for p in pieces])[:n] for key in pieces[0]}


def shuffled_union(first: Rows, second: Rows, seed: int, chunk: int) -> Rows:
    """Rows of two classes in a random order fixed by (seed, chunk)."""
    rows = len(next(iter(first.values()))) + len(next(iter(second.values())))
    order = np.random.default_rng([seed, chunk]).permutation(rows)
    return {key: np.concatenate([first[key], second[key]])[order] for key in first}


def two_class_chunk(collect: Callable[[int, int, bool], Rows], seed: int, chunk: int, rows: int) -> Rows:
    """One chunk of ``rows`` rows, half of each class, in random order.

    ``collect(random_seed, n, first_class)`` draws ``n`` rows of one class. The first class (half
    the rows, rounded up) uses ``Random:seed = pythia_seed(seed, chunk)``, the second
    ``pythia_seed(seed, chunk, stream=1)``, so no two Pythia runs share a random stream.
    """
    first = collect(pythia_seed(seed, chunk), (rows + 1) // 2, True)
    second = collect(pythia_seed(seed, chunk, stream=1), rows // 2, False)
    return shuffled_union(first, second, seed, chunk)
