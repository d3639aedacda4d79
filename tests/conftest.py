"""Test-wide fixtures."""

import os

import pytest

# Every metric an experiment's evaluate() returns must be declared by its metric_patterns (which
# checks objective before training): undeclared names fail the run, also in subprocesses.
os.environ["LORENTZNETS_STRICT_METRICS"] = "1"


@pytest.fixture(autouse=True)
def _isolated_mlflow_tracking(monkeypatch):
    """Keep every test on its own tracking database: no tracking URI leaks in from the shell or another test."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
