"""Pythia 8 + FastJet generators for the lorentznets datasets.

Run as ``python -m lorentznets.data.generate <dataset> --n N --seed S --out PATH --workers W``;
``python -m lorentznets.data.generate --help`` lists the datasets. Each dataset module exposes
``add_arguments(parser)`` and ``run(args)``; see ``docs/data.md`` for the output layouts.
"""

from lorentznets.data.generate.cli import DATASETS, main

__all__ = ["DATASETS", "main"]
