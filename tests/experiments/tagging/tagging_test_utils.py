"""Helpers of the tagging tests: synthetic jet files in the converted LGN layout
(:func:`lorentznets.testing.synthetic_files.write_lgn_jets`) and config overrides for fast runs.

Signal jets have three hard prongs 0.3 apart, background jets one: a tagger separates them
quickly, so short trainings show learning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lorentznets.testing.synthetic_files import write_lgn_jets
from tests.data.readers.jet_files import random_jets, write_jetclass

__all__ = ["THREE_CLASS_NAMES", "tagging_overrides", "write_lgn_jets", "write_three_class_jets"]

THREE_CLASS_NAMES = "[QCD,Hbb,Hcc]"
"""``data.class_names`` of :func:`write_three_class_jets`'s file (the first JetClass labels)."""


def write_three_class_jets(path: Path, num_jets: int = 300) -> Path:
    """A JetClass ROOT file of random jets (up to 40 constituents) of the labels 0, 1, 2 in turn."""
    momenta, counts = random_jets(num_jets, 40)
    return write_jetclass(path, momenta, counts, np.arange(num_jets) % 3)[0]


def tagging_overrides(base_dir: Path, data_path: Path, **extra: object) -> list[str]:
    """Overrides for a fast top-tagging run with a tiny Transformer on ``data_path``."""
    values = {
        "data.path": str(data_path),
        "data.generate": "null",
        "data.max_particles": 30,
        "base_dir": str(base_dir),
        "model.net.hidden_channels": 16,
        "model.net.num_blocks": 1,
        "model.net.num_heads": 2,
        "data.split_fractions": "[0.5,0.25,0.25]",
        "training.iterations": 30,
        "training.validate_every": 15,
        "training.optimizer.lr": 3e-3,
        "training.batchsize": 32,
        "progress": False,
        "use_mlflow": False,
        "num_threads": 1,
    }
    values.update(extra)
    return [f"{key}={value}" for key, value in values.items()]
