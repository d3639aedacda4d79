"""Fixtures of the assignment tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assignment_test_utils import write_event_target_file, write_semileptonic_file, write_spanet_file  # noqa: E402


@pytest.fixture(scope="session")
def spanet_file(tmp_path_factory) -> Path:
    return write_spanet_file(tmp_path_factory.mktemp("assignment") / "events.h5")


@pytest.fixture(scope="session")
def event_target_file(tmp_path_factory) -> Path:
    return write_event_target_file(tmp_path_factory.mktemp("assignment_event_targets") / "events.h5")


@pytest.fixture(scope="session")
def semileptonic_file(tmp_path_factory) -> Path:
    return write_semileptonic_file(tmp_path_factory.mktemp("assignment_semileptonic") / "events.h5")
