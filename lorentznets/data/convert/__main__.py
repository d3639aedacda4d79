"""Command line: ``python -m lorentznets.data.convert {landscape,energyflow} IN OUT [options]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import CONVERTERS


def main(argv: Sequence[str] | None = None) -> int:
    """Run one converter; return the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m lorentznets.data.convert",
        description="Convert a public jet dataset file to the LGN HDF5 layout "
        "(Nobj, Pmu, label, is_signal, jet_pt, mass, [truth_Pmu], [scalars]).",
    )
    parser.add_argument(
        "what",
        choices=sorted(CONVERTERS),
        help="landscape: top-tagging landscape pandas HDF5; energyflow: EnergyFlow quark-gluon npz (pt, y, phi, pid)",
    )
    parser.add_argument("source", help="input file")
    parser.add_argument("target", help="output HDF5 file")
    parser.add_argument(
        "--max-particles",
        type=int,
        default=None,
        help="constituent slots in the output (default: landscape 200, energyflow the input's)",
    )
    parser.add_argument("--max-jets", type=int, default=None, help="convert only the first jets")
    parser.add_argument("--chunk-size", type=int, default=8192, help="jets per chunk")
    args = parser.parse_args(argv)

    options = {"max_jets": args.max_jets, "chunk_size": args.chunk_size}
    if args.max_particles is not None:
        options["max_particles"] = args.max_particles
    try:
        count = CONVERTERS[args.what](args.source, args.target, **options)
    except (FileNotFoundError, KeyError, ValueError, ImportError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return 1
    print(f"wrote {count} jets to {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
