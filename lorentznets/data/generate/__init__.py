"""Pythia 8 + FastJet generators for the lorentznets datasets.

Run as ``python -m lorentznets.data.generate <dataset> --n N --seed S --out PATH --workers W``;
``python -m lorentznets.data.generate --help`` lists the datasets. Each dataset module exposes
``add_arguments(parser)`` and ``run(args)``; see ``docs/data.md`` for the output layouts.
:func:`generate` runs one from Python, and :func:`generation_status` says whether a generated file
is complete, or partial and resumable.
"""

from lorentznets.data.generate.cli import DATASETS, generate, main
from lorentznets.data.generate.status import GenerationStatus, generation_status

__all__ = ["DATASETS", "GenerationStatus", "generate", "generation_status", "main"]
