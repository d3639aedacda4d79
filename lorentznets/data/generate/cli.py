"""Command line dispatch: ``python -m lorentznets.data.generate <dataset> [options]``.

Dataset modules are imported only when their subcommand runs, so that a missing optional
module (for example the amplitude generators) does not break the other subcommands.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

DATASETS: dict[str, tuple[str, str]] = {
    "toptagging": (
        "lorentznets.data.generate.toptagging",
        "boosted top vs QCD jets, anti-kT R=0.8 (HDF5, LorentzNet/PELICAN layout)",
    ),
    "quarkgluon": (
        "lorentznets.data.generate.quarkgluon",
        "quark vs gluon jets from Z(->nu nu)+jet, anti-kT R=0.4 (HDF5, EnergyFlow keys)",
    ),
    "ttbar": (
        "lorentznets.data.generate.ttbar",
        "all-hadronic ttbar for jet assignment (SPANet HDF5 + event YAML) and event generation (ttbar_<n>j.npy)",
    ),
    "amplitudes": (
        "lorentznets.data.amplitudes.generate",
        "squared matrix elements for amplitude regression",
    ),
}


def _top_level_parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<12} {text}" for name, (_, text) in DATASETS.items())
    parser = argparse.ArgumentParser(
        prog="python -m lorentznets.data.generate",
        description="Generate lorentznets datasets with Pythia 8 and FastJet.",
        epilog=f"datasets:\n{listing}\n\nRun '<dataset> --help' for the options of one dataset.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", choices=sorted(DATASETS), metavar="dataset")
    parser.add_argument("options", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def build_dataset_parser(dataset: str) -> tuple[argparse.ArgumentParser, object]:
    """Import a dataset module and build its argument parser.

    Parameters
    ----------
    dataset : str
        A key of ``DATASETS``.

    Returns
    -------
    parser : argparse.ArgumentParser
        Parser filled by the module's ``add_arguments``.
    module : module
        The imported module, whose ``run(args)`` generates the data.
    """
    if dataset not in DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}; choose one of {sorted(DATASETS)}")
    module_name, description = DATASETS[dataset]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and module_name.startswith(error.name):
            raise ModuleNotFoundError(
                f"the '{dataset}' generator lives in {module_name}, which is not installed in this checkout yet"
            ) from error
        raise
    parser = argparse.ArgumentParser(prog=f"python -m lorentznets.data.generate {dataset}", description=description)
    module.add_arguments(parser)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen generator; returns the process exit code."""
    top = _top_level_parser()
    top_args = top.parse_args(argv)
    try:
        parser, module = build_dataset_parser(top_args.dataset)
    except ModuleNotFoundError as error:
        top.error(str(error))
    args = parser.parse_args(top_args.options)
    module.run(args)
    return 0
