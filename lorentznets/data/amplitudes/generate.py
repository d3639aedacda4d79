"""Command-line entry for ``python -m lorentznets.data.generate amplitudes ...``.

Example::

    python -m lorentznets.data.generate amplitudes --process zg zgg --n 100000 --out data/cache/amplitudes

writes ``data/cache/amplitudes/zg.npy`` and ``zgg.npy`` (layout: see
:mod:`lorentznets.data.amplitudes.events`).
"""

from __future__ import annotations

import argparse

from lorentznets.data.cli_types import non_negative_float, non_negative_int, positive_float, positive_int

from .couplings import QUARK_CHARGES, Couplings
from .processes import PROCESSES
from .writer import write_process_file

__all__ = ["DEFAULT_EVENTS", "add_arguments", "run"]

DEFAULT_EVENTS = 100000
"""Events per process written without ``--n``."""


def _add(parser: argparse.ArgumentParser, flag: str, **kwargs) -> None:
    # The dispatching CLI may already define the common options (--n, --seed, --out, --workers).
    if flag not in parser._option_string_actions:
        parser.add_argument(flag, **kwargs)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the amplitude generator's options to ``parser``."""
    _add(
        parser,
        "--process",
        nargs="+",
        default=["zg"],
        choices=sorted(PROCESSES),
        help="processes to generate, one <process>.npy each",
    )
    _add(parser, "--n", type=positive_int, default=DEFAULT_EVENTS, help="events per process")
    _add(parser, "--seed", type=non_negative_int, default=0, help="base random seed")
    _add(parser, "--out", default="data/cache/amplitudes", help="output directory")
    _add(parser, "--sqrt-s", type=positive_float, default=1000.0, help="partonic CM energy in GeV")
    _add(parser, "--pt-min", type=non_negative_float, default=20.0, help="gluon pT cut in GeV")
    _add(parser, "--delta-r-min", type=non_negative_float, default=0.4, help="gluon-gluon Delta R cut")
    _add(
        parser,
        "--max-boost-rapidity",
        type=non_negative_float,
        default=2.0,
        help="events are boosted along z with rapidity uniform in [-y, y]",
    )
    _add(
        parser,
        "--backend",
        default=None,
        help="amplitude backend (textbook, parke_taylor, berends_giele); default per process",
    )
    _add(
        parser,
        "--quark",
        default="u",
        choices=sorted(QUARK_CHARGES),
        help="quark flavour in q qbar -> Z + gluons",
    )
    _add(parser, "--alpha-s", type=positive_float, default=0.118, help="strong coupling alpha_s")


def run(args: argparse.Namespace) -> None:
    """Generate and write every requested process."""
    couplings = Couplings(alpha_s=args.alpha_s, quark=args.quark)
    for name in args.process:
        process = PROCESSES[name]
        backend = args.backend
        if backend is not None and backend not in process.backends:
            raise ValueError(
                f"amplitudes: process {name} has no backend {backend!r}; available: {list(process.backends)}"
            )
        path = write_process_file(
            args.out,
            name,
            args.n,
            seed=args.seed,
            couplings=couplings,
            sqrt_s=args.sqrt_s,
            pt_min=args.pt_min,
            delta_r_min=args.delta_r_min,
            max_boost_rapidity=args.max_boost_rapidity,
            backend=backend,
        )
        print(f"wrote {path} ({args.n} events)")
