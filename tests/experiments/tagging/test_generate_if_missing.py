import json

import h5py
import pytest

from experiments.tagging.dataset import generate_if_missing


def test_generates_with_extra_generator_options(tmp_path):
    path = tmp_path / "data" / "top_detector.h5"
    generate = {"dataset": "toptagging", "n": 40, "seed": 3, "workers": 1, "args": ["--detector", "--chunk-size", 20]}
    generate_if_missing(path, generate)
    with h5py.File(path) as handle:
        settings = json.loads(handle.attrs["generator_settings"])
        assert len(handle["Nobj"]) == 40
    assert settings["detector"] is not None and settings["chunk_size"] == 20
    # An existing file is used as it is.
    generate_if_missing(path, {**generate, "args": ["--not-an-option"]})


def test_failed_generation_is_a_clear_error(tmp_path):
    path = tmp_path / "top.h5"
    with pytest.raises(FileNotFoundError, match="generating it failed"):
        generate_if_missing(path, {"dataset": "toptagging", "n": 10, "seed": 1, "workers": 1, "args": ["--bogus"]})
