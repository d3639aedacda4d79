"""The run folder's evaluation records."""

from __future__ import annotations

import json

from experiments.common.run_directory import RunDirectory


def test_metrics_are_strict_json_with_non_finite_values_as_strings(tmp_path):
    path = RunDirectory(tmp_path).write_metrics({"test.rej30": float("inf"), "test.auc": 0.9, "x": float("nan")}, 0)
    text = path.read_text()
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text) == {"test.auc": 0.9, "test.rej30": "inf", "x": "nan"}
    assert path.name.startswith("model_run0_") and [p.name for p in path.parent.iterdir()] == [path.name]
