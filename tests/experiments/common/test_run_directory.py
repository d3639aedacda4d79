"""The run folder's evaluation records."""

from __future__ import annotations

import json

import pytest
from omegaconf import OmegaConf

from experiments.common.run_directory import RunDirectory


def test_metrics_are_strict_json_with_non_finite_values_as_strings(tmp_path):
    path = RunDirectory(tmp_path).write_metrics({"test.rej30": float("inf"), "test.auc": 0.9, "x": float("nan")}, 0)
    text = path.read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"test.auc": 0.9, "test.rej30": "inf", "x": "nan"}
    assert path.name.startswith("model_run0_") and [p.name for p in path.parent.iterdir()] == [path.name]


def test_an_evaluation_records_the_config_it_ran_under(tmp_path):
    """Evaluations on other data, unweighted or streamed, wrote JSON files that could not be told apart."""
    config = OmegaConf.create({"data": {"use_weights": False, "path": "${base}/jets.h5"}, "base": "/d"})
    path = RunDirectory(tmp_path).write_metrics({"test.auc": 0.78}, 0, config)
    settings = path.with_suffix(".config.yaml")
    assert OmegaConf.to_container(OmegaConf.load(settings)) == {
        "data": {"use_weights": False, "path": "/d/jets.h5"},
        "base": "/d",
    }
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, settings.name])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda run: (run / "checkpoints" / "last.pt").mkdir(parents=True), r"checkpoints/last\.pt is a folder"),
        (lambda run: (run / "models" / "model_run0.pt").mkdir(parents=True), r"models/model_run0\.pt is a folder"),
        (lambda run: (run / "evaluation").write_text("x"), r"evaluation is a file, but the run writes a folder"),
    ],
)
def test_a_file_or_folder_of_the_wrong_kind_is_refused_before_any_work(tmp_path, make, message):
    run = tmp_path / "run"
    run.mkdir()
    make(run)
    with pytest.raises(OSError, match=message):
        RunDirectory(run).check_layout()
