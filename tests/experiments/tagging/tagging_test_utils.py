"""Helpers of the tagging tests: synthetic jet files in the converted LGN layout and config
overrides for fast runs.

Signal jets have three hard prongs 0.3 apart, background jets one: a tagger separates them
quickly, so short trainings show learning.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import torch

from lorentznets.lorentz import from_pt_eta_phi_m


def write_lgn_jets(path: Path, num_jets: int = 400, max_particles: int = 200, seed: int = 0) -> Path:
    """Write ``num_jets`` balanced jets with ``Nobj``, ``Pmu``, ``is_signal``, ``label``,
    ``truth_Pmu`` and return ``path``."""
    rng = np.random.default_rng(seed)
    is_signal = np.arange(num_jets) % 2
    pmu = np.zeros((num_jets, max_particles, 4), dtype=np.float32)
    nobj = rng.integers(8, 25, size=num_jets)
    for jet in range(num_jets):
        n = nobj[jet]
        axis_eta, axis_phi = rng.uniform(-1, 1), rng.uniform(-np.pi, np.pi)
        prongs = 3 if is_signal[jet] else 1
        prong = rng.integers(0, prongs, size=n)
        offsets = np.array([[0.0, 0.0], [0.3, 0.1], [-0.1, 0.3]])[prong]
        eta = axis_eta + offsets[:, 0] + 0.03 * rng.normal(size=n)
        phi = axis_phi + offsets[:, 1] + 0.03 * rng.normal(size=n)
        pt = 600 * rng.dirichlet(np.ones(n))
        order = np.argsort(-pt)
        x = np.stack([pt, eta, phi, np.zeros(n)], axis=-1)[order]
        pmu[jet, :n] = from_pt_eta_phi_m(torch.tensor(x)).numpy()
    mask = np.arange(max_particles)[None, :] < nobj[:, None]
    with h5py.File(path, "w") as file:
        file["Nobj"] = nobj
        file["Pmu"] = pmu
        file["is_signal"] = is_signal
        file["label"] = mask
        file["truth_Pmu"] = np.zeros((num_jets, 4), dtype=np.float32)
    return path


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
