"""Helpers of the tagging tests: synthetic jet files in the converted LGN layout
(:func:`lorentznets.testing.synthetic_files.write_lgn_jets`) and config overrides for fast runs.

Signal jets have three hard prongs 0.3 apart, background jets one: a tagger separates them
quickly, so short trainings show learning.
"""

from __future__ import annotations

from pathlib import Path

from lorentznets.testing.synthetic_files import write_lgn_jets

__all__ = ["tagging_overrides", "write_lgn_jets"]


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
