"""Helpers of the tagging tests: synthetic jet files in the converted LGN layout
(:func:`lorentznets.testing.synthetic_files.write_lgn_jets`) and config overrides for fast runs.

Signal jets have three hard prongs 0.3 apart, background jets one: a tagger separates them
quickly, so short trainings show learning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from experiment_test_utils import compose_config

from experiments.base_experiment import BaseExperiment
from experiments.registry import get_experiment
from lorentznets.testing.synthetic_files import write_lgn_jets
from tests.data.readers.jet_files import random_jets, write_energyflow_h5, write_jetclass
from tests.data.readers.test_energyflow_npz_reader import quark_gluon_jets

__all__ = [
    "STREAMED",
    "THREE_CLASS_NAMES",
    "TINY",
    "tagging_overrides",
    "tiny_experiment",
    "write_lgn_jets",
    "write_quark_gluon_h5",
    "write_three_class_jets",
]

TINY = {"training.iterations": 2, "training.validate_every": 2, "training.batchsize": 8, "data.max_jets": "null"}
"""Overrides of :func:`tiny_experiment`: two training steps on all jets of the file."""

STREAMED = {"data.streaming": True, "data.stream.window_jets": 8, "data.stream.block_jets": 4}
"""Overrides that stream the splits in windows of 8 jets read in blocks of 4."""

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


def tiny_experiment(tmp_path: Path, data_path: Path, config: str = "qgtagging", **overrides: object) -> BaseExperiment:
    """The experiment of ``config/<config>.yaml`` with :func:`tagging_overrides`, :data:`TINY` and
    ``overrides`` (run name ``r``), its config checked as ``run.py`` checks it."""
    cfg = compose_config(config, tagging_overrides(tmp_path, data_path, run_name="r", **TINY, **overrides))
    get_experiment(cfg.experiment).check_config(cfg)
    return get_experiment(cfg.experiment)(cfg)


def write_quark_gluon_h5(path: Path, rapidity_scale: float = 1.0) -> tuple[Path, np.ndarray]:
    """40 quark-gluon jets (up to 12 constituents) in our EnergyFlow-layout HDF5 at ``path``, their
    rapidities times ``rapidity_scale``; returns the file and its (pt, y, phi, pid) rows (40, 12, 4)."""
    X, y = quark_gluon_jets(n_jets=40, n_slots=12, seed=3)
    X[..., 1] *= rapidity_scale
    return write_energyflow_h5(path, X, y), X
