"""Fixtures of the tagging tests."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tagging_test_utils import write_lgn_jets, write_quark_gluon_h5  # noqa: E402


@pytest.fixture(scope="session")
def jets_file(tmp_path_factory) -> Path:
    """400 synthetic jets (lgn_h5 layout), shared by the tests of a session."""
    return write_lgn_jets(tmp_path_factory.mktemp("jets") / "jets.h5")


@pytest.fixture(scope="module")
def qg_file(tmp_path_factory) -> tuple[Path, np.ndarray]:
    """40 quark-gluon jets in our EnergyFlow-layout HDF5, and their (pt, y, phi, pid) rows (40, 12, 4)."""
    return write_quark_gluon_h5(tmp_path_factory.mktemp("qg") / "qg.h5")


@pytest.fixture(scope="module")
def wide_qg_file(tmp_path_factory) -> Path:
    """The jets of :func:`qg_file` at four times their rapidity: heavy constituents at large rapidity."""
    return write_quark_gluon_h5(tmp_path_factory.mktemp("qg") / "qg.h5", rapidity_scale=4)[0]
