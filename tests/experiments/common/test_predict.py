"""The streaming HDF5 writer of per-event predictions."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from experiment_test_utils import compose_config, toy_overrides
from toy_experiment import ToyExperiment

from experiments.common.config_schema import ConfigError
from experiments.common.predict import write_predictions


def _chunks(sizes: list[int], classes: int = 3, label: bool = True):
    def predict(name: str):
        for size in sizes:
            chunk = {"scores": np.full((size, classes), len(name), np.float32)}
            if label:
                chunk["label"] = np.arange(size)
            yield chunk

    return predict


def test_events_of_several_files_in_order_with_file_and_index(tmp_path):
    path = tmp_path / "out" / "p.h5"
    count = write_predictions(path, ["a.h5", "dir/bb.root"], _chunks([3, 2]), {"class_names": ["x", "y", "z"]})
    assert count == 10
    with h5py.File(path) as file:
        assert set(file) == {"file", "index", "scores", "label"}
        assert [name.decode() for name in file["file"][:]] == ["a.h5"] * 5 + ["dir/bb.root"] * 5
        np.testing.assert_array_equal(file["index"][:], [0, 1, 2, 3, 4] * 2)
        np.testing.assert_array_equal(file["scores"][:, 0], [4] * 5 + [11] * 5)
        assert file["scores"].dtype == np.float32 and file["scores"].chunks[1:] == (3,)
        assert file.attrs["files"] == '["a.h5", "dir/bb.root"]' and file.attrs["class_names"] == '["x", "y", "z"]'
    assert list(path.parent.iterdir()) == [path]


def test_bad_chunks_leave_no_file_and_name_the_input(tmp_path):
    path = tmp_path / "p.h5"

    def predict(name: str):
        yield from _chunks([2], label=name == "a.h5")(name)

    with pytest.raises(ValueError, match=r"b\.h5: predictions \['file', 'index', 'scores'\], the earlier events"):
        write_predictions(path, ["a.h5", "b.h5"], predict)
    with pytest.raises(ValueError, match=r"b\.h5: prediction 'scores' has shape \(4,\)"):
        write_predictions(path, ["a.h5", "b.h5"], lambda name: _chunks([2], classes=3 if name == "a.h5" else 4)(name))
    with pytest.raises(ValueError, match="no events to predict"):
        write_predictions(path, ["a.h5"], _chunks([]))
    assert list(tmp_path.iterdir()) == []


def test_an_experiment_that_cannot_predict_refuses_predict_files_at_the_config_check(tmp_path):
    cfg = compose_config("default", toy_overrides(tmp_path, **{"predict.files": "[a.h5]"}))
    with pytest.raises(ConfigError, match="predict.files is not allowed: ToyExperiment cannot predict files"):
        ToyExperiment.check_config(cfg)


def test_an_input_named_like_the_outputs_temporary_file_is_refused(tmp_path):
    from experiments.common.predict import check_predict_output

    (tmp_path / "out.h5.partial").write_bytes(b"jets")
    with pytest.raises(ValueError, match=r"one of predict\.files is its temporary file out\.h5\.partial"):
        check_predict_output(tmp_path / "out.h5", [str(tmp_path / "*.partial")])
