"""Whether an existing generated file follows the conventions that a generator's options ask for.

A complete file is reused as it is, but only if it holds the same kind of jets: the settings
named in a generator module's ``CONVENTION_KEYS`` (constituent masses, cuts, radius, maximum
count, detector, ...) and the collision energy (``Beams:eCM`` of its Pythia settings) must equal
those the options would write. How the rows were sampled (seed, chunk size, pTHat bias, jet veto)
may differ. A file written before a convention was recorded
counts as different, since its generator did not follow that convention.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lorentznets.data.convert.h5_files import open_h5
from lorentznets.data.generate.cli import build_dataset_parser
from lorentznets.data.generate.h5_writer import SETTINGS_ATTR
from lorentznets.data.generate.options import PYTHIA_DATASETS

CHECKED_DATASETS = PYTHIA_DATASETS
"""Datasets whose generator module defines ``CONVENTION_KEYS``: the Pythia ones."""


def stored_settings(path: Path) -> dict[str, Any] | None:
    """The generator settings recorded in an HDF5 file; None for other files and public datasets."""
    if not path.exists() or path.suffix.lower() == ".npy":
        return None
    try:
        file = open_h5(path)
    except ValueError:
        return None
    with file:
        encoded = file.attrs.get(SETTINGS_ATTR)
    return None if encoded is None else json.loads(encoded)


def _requested_settings(dataset: str, options: Sequence[str]) -> dict[str, Any]:
    parser, module = build_dataset_parser(dataset)
    try:
        args = parser.parse_args(list(options))
    except SystemExit as error:  # argparse printed why
        raise ValueError(
            f"the {dataset} generator rejected its options {list(options)} (exit code {error.code}; its message "
            "is above)"
        ) from None
    settings = json.loads(json.dumps(module.settings_from_args(args)))
    return {
        "generator": settings["generator"],
        "ecm": collision_energy(settings),
        **{key: settings[key] for key in module.CONVENTION_KEYS},
    }


def collision_energy(settings: dict[str, Any]) -> float | None:
    """``Beams:eCM`` (GeV) of the Pythia settings lines stored in a generator's settings, or None."""
    for value in settings.values():
        for line in value if isinstance(value, list) else ():
            name, _, number = str(line).partition("=")
            if name.strip() == "Beams:eCM":
                return float(number)
    return None


def convention_differences(path: str | os.PathLike, dataset: str, options: Sequence[str] = ()) -> list[str]:
    """How the conventions of a generated file differ from those ``options`` ask for.

    Parameters
    ----------
    path : str or os.PathLike
        A data file; missing files, ``.npy`` files and files no generator of ours wrote have no
        recorded conventions and give no differences.
    dataset : str
        Generator name (``python -m lorentznets.data.generate <dataset>``); only the datasets in
        ``CHECKED_DATASETS`` record conventions, the others give no differences.
    options : sequence of str
        Generator options, e.g. ``["--constituent-mass", "particle"]``.

    Returns
    -------
    list of str
        One line per differing setting, ``"<key>: file has ..., the options ask for ..."``;
        empty when the file can be reused.

    Raises
    ------
    ValueError
        If the generator rejects ``options``.
    """
    stored = stored_settings(Path(path))
    if stored is None or dataset not in CHECKED_DATASETS:
        return []
    requested = _requested_settings(dataset, options)
    stored = {**stored, "ecm": collision_energy(stored)}
    differences = []
    for key, wanted in requested.items():
        if key not in stored:
            differences.append(f"{key}: file has none (written before it was recorded), the options ask for {wanted!r}")
        elif stored[key] != wanted:
            differences.append(f"{key}: file has {stored[key]!r}, the options ask for {wanted!r}")
    return differences


def require_conventions(
    path: str | os.PathLike,
    dataset: str,
    options: Sequence[str] = (),
    remedy: str = "delete it to generate it again, write to another path, or match the options to the file",
) -> None:
    """Raise ``ValueError`` naming the file, the differences and ``remedy`` if there are any."""
    differences = convention_differences(path, dataset, options)
    if differences:
        raise ValueError(
            f"{path} was generated with other conventions than the {dataset} generator options {list(options)} "
            f"ask for ({'; '.join(differences)}): {remedy}"
        )
