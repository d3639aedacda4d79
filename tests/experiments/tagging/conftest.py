"""Fixtures of the tagging tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tagging_test_utils import write_lgn_jets  # noqa: E402


@pytest.fixture(scope="session")
def jets_file(tmp_path_factory) -> Path:
    """400 synthetic jets (lgn_h5 layout), shared by the tests of a session."""
    return write_lgn_jets(tmp_path_factory.mktemp("jets") / "jets.h5")
