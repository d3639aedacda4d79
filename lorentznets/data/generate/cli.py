"""Command line dispatch: ``python -m lorentznets.data.generate <dataset> [options]``.

Dataset modules are imported only when their subcommand runs, so that a missing optional
module (for example the amplitude generators) does not break the other subcommands.
"""

from __future__ import annotations

import argparse
import importlib
import os
from collections.abc import Sequence
from pathlib import Path

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
        "ttbar for jet assignment (SPANet HDF5 + event YAML; all-hadronic, or --decay semileptonic) and, all-hadronic, "
        "event generation (ttbar_<n>j.npy)",
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


def generate(
    dataset: str,
    out: str | os.PathLike,
    n: int,
    *,
    seed: int = 1,
    workers: int = 1,
    resume: bool = False,
    overwrite: bool = False,
    options: Sequence[str] = (),
) -> Path:
    """Run a Pythia generator from Python, exactly as its command line would.

    Parameters
    ----------
    dataset : str
        "toptagging", "quarkgluon" or "ttbar" (the amplitudes have
        :func:`lorentznets.data.amplitudes.write_process_file`).
    out : str or os.PathLike
        Output HDF5 file.
    n : int
        Rows (jets or events) in all.
    seed, workers : int
        As ``--seed`` and ``--workers``; the file does not depend on ``workers``.
    resume : bool
        Continue a partial ``out`` (see :func:`lorentznets.data.generate.status.generation_status`);
        one that holds no chunk yet is started again. A complete ``out`` gets its last chunk again
        if ``n`` is not a multiple of the chunk size, and nothing else.
    overwrite : bool
        Replace ``out``.
    options : sequence of str
        Further options of the dataset, e.g. ``["--detector"]`` or ``["--eventgen-dir", "d"]``.

    Returns
    -------
    Path
        ``out``.
    """
    if resume and overwrite:
        raise ValueError("generate: pass resume or overwrite, not both")
    argv = ["--n", str(n), "--seed", str(seed), "--workers", str(workers), "--out", os.fspath(out), *options]
    argv += ["--resume"] * resume + ["--overwrite"] * overwrite
    parser, module = build_dataset_parser(dataset)
    module.run(parser.parse_args(argv))
    return Path(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen generator; returns the process exit code."""
    top = _top_level_parser()
    top_args = top.parse_args(argv)
    try:
        parser, module = build_dataset_parser(top_args.dataset)
    except ModuleNotFoundError as error:
        top.error(str(error))
    args = parser.parse_args(top_args.options)
    try:
        module.run(args)
    except (ValueError, FileNotFoundError, FileExistsError) as error:
        # settings that parse but cannot work together (an empty cut window, an existing output)
        parser.exit(2, f"{parser.prog}: error: {error}\n")
    return 0
