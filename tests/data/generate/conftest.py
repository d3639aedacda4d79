"""Small generated files shared by the generator tests (generated once per session)."""

from __future__ import annotations

import pytest

from lorentznets.data.generate.cli import main


@pytest.fixture(scope="session")
def toptagging_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("toptagging") / "top.h5"
    main(["toptagging", "--n", "200", "--chunk-size", "100", "--seed", "11", "--out", str(path)])
    return path


@pytest.fixture(scope="session")
def ttbar_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ttbar") / "ttbar.h5"
    main(["ttbar", "--n", "300", "--chunk-size", "150", "--seed", "5", "--out", str(path)])
    return path


@pytest.fixture(scope="session")
def toptagging_detector_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("toptagging_detector") / "top_detector.h5"
    # Hadron masses kept, so that the towers are the only massless objects.
    options = ["--detector", "--constituent-mass", "particle"]
    main(["toptagging", "--n", "160", "--chunk-size", "80", "--seed", "4", *options, "--out", str(path)])
    return path
