"""Test-wide fixtures."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_mlflow_tracking(monkeypatch):
    """Keep every test on its own tracking database: no tracking URI leaks in from the shell or another test."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
