"""Make the toy experiment and the test utilities of this folder importable."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


@pytest.fixture(autouse=True)
def _toy_experiment_importable(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
