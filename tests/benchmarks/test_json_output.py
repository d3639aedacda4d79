"""Benchmark JSON results (``bench_train_throughput.py --json``) are written with
:func:`experiments.common.run_directory.write_text_atomic`: they are replaced whole."""

from __future__ import annotations

import json

import pytest

from experiments.common.run_directory import write_text_atomic


def test_json_results_are_replaced_whole(tmp_path, monkeypatch):
    """A write that fails before the rename (as a kill by a time limit would) leaves the previous results."""
    path = tmp_path / "out.json"
    write_text_atomic(path, json.dumps({"results": [1]}, indent=2))
    assert json.loads(path.read_text()) == {"results": [1]}

    def killed(source, destination):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", killed)
    with pytest.raises(KeyboardInterrupt):
        write_text_atomic(path, json.dumps({"results": [1, 2]}, indent=2))
    assert json.loads(path.read_text()) == {"results": [1]}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
