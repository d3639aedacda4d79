"""Range reads of weighted files carry the weights of the jets they read, not those of the first jets."""

from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from lorentznets.data.readers.formats import READERS

from .jet_files import random_jets, write_energyflow_h5, write_lgn

NUM_JETS = 30


def _weights() -> np.ndarray:
    """Distinct weights, so that a range read from the wrong offset cannot match."""
    return 1.0 + np.arange(NUM_JETS, dtype=np.float64) / 8.0


def _weighted_lgn(path: Path) -> Path:
    momenta, _ = random_jets(NUM_JETS, 6, seed=4)
    write_lgn(path, momenta, np.arange(NUM_JETS) % 2)
    with h5py.File(path, "r+") as file:
        file["weight"] = _weights()
    return path


def _weighted_quark_gluon(path: Path) -> Path:
    """Our generator's quark-gluon HDF5 (EnergyFlow keys ``X``, ``y`` plus ``weight``)."""
    rng = np.random.default_rng(7)
    x = np.zeros((NUM_JETS, 5, 4))
    x[:, :3, 0] = rng.uniform(50.0, 300.0, size=(NUM_JETS, 3))
    x[:, :3, 1] = rng.normal(0.0, 0.3, size=(NUM_JETS, 3))
    x[:, :3, 2] = rng.uniform(0.0, 2 * np.pi, size=(NUM_JETS, 3))
    x[:, :3, 3] = [211, 22, -11]
    return write_energyflow_h5(path, x, (np.arange(NUM_JETS) % 2).astype(np.int64), weight=_weights())


WRITERS = {"lgn_h5": _weighted_lgn, "energyflow_npz": _weighted_quark_gluon}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize(("start", "stop"), [(0, 12), (11, 23), (25, 30)])
def test_read_range_weights_equal_slice_of_whole_file(tmp_path, fmt, start, stop):
    path = WRITERS[fmt](tmp_path / "weighted.h5")
    whole = READERS[fmt].read(path, None, 4, None)
    part = READERS[fmt].read_range(path, start, stop, 4)
    np.testing.assert_array_equal(part.weights.numpy(), _weights()[start:stop])
    expected = whole.subset(slice(start, stop))
    for field in ("weights", "momenta", "mask", "labels"):
        torch.testing.assert_close(getattr(part, field), getattr(expected, field), rtol=0, atol=0)
