"""An interrupted generation, continued through the Python entry point, gives the same file."""

import shutil

import h5py
import numpy as np

from lorentznets.data.generate import generate, generation_status
from lorentznets.data.readers import load_jets


def test_resumed_file_equals_the_uninterrupted_one(toptagging_file, tmp_path):
    path = shutil.copy(toptagging_file, tmp_path / "top.h5")
    assert generation_status(path).state == "complete"
    with h5py.File(path, "a") as file:
        # What a run killed during its second chunk leaves: one chunk and complete = False.
        for name in file:
            file[name].resize(100, axis=0)
        file.attrs.update(chunks_done=1, rows_done=100, complete=False)
    status = generation_status(path)
    assert (status.state, status.rows, status.n_requested) == ("partial", 100, 200)
    generate("toptagging", path, 200, seed=11, resume=True, options=["--chunk-size", "100"])
    assert generation_status(path).state == "complete"
    # Real Pythia jets pass the readers' physics checks.
    assert len(load_jets(path)) == 200
    with h5py.File(path) as resumed, h5py.File(toptagging_file) as fresh:
        assert set(resumed) == set(fresh)
        for name in fresh:
            np.testing.assert_array_equal(resumed[name][:], fresh[name][:])
