"""Command line: ``python -m lorentznets.data.convert {landscape,energyflow} IN OUT [options]``."""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from ..cli_types import positive_int
from ..readers.errors import error_message
from . import CONVERTERS
from .h5_files import partial_path


def main(argv: Sequence[str] | None = None) -> int:
    """Run one converter; return the process exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m lorentznets.data.convert",
        description="Convert a public jet dataset file to the LGN HDF5 layout "
        "(Nobj, Pmu, label, is_signal, jet_pt, mass, [truth_Pmu], [scalars], [weight], [pthat]).",
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
        type=positive_int,
        default=None,
        help="constituent slots in the output (default: landscape 200, energyflow the input's)",
    )
    parser.add_argument("--max-jets", type=positive_int, default=None, help="convert only the first jets")
    parser.add_argument("--chunk-size", type=positive_int, default=8192, help="jets per chunk")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output file")
    args = parser.parse_args(argv)
    source, target = Path(args.source), Path(args.target)
    if target.exists() and source.exists() and target.resolve() == source.resolve():
        parser.error(f"the output {target} is the input {source}: give another output file")
    if source.exists() and source.resolve() == partial_path(target.resolve()):
        # the output is written to <output>.partial first (atomic): that would destroy the input
        parser.error(f"the input {source} is the temporary file of the output {target}: rename it first")
    if target.exists() and not args.overwrite:
        parser.error(f"the output {target} exists: pass --overwrite to replace it")

    options = {"max_jets": args.max_jets, "chunk_size": args.chunk_size}
    if args.max_particles is not None:
        options["max_particles"] = args.max_particles
    try:
        count = CONVERTERS[args.what](args.source, args.target, **options)
    except (FileNotFoundError, KeyError, ValueError, ImportError) as error:
        message = error_message(error)
        print(f"error: {message}", file=sys.stderr)
        return 1
    except zipfile.BadZipFile as error:
        print(f"error: {source}: cannot read it as an .npz archive: {error}", file=sys.stderr)
        return 1
    print(f"wrote {count} jets to {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
