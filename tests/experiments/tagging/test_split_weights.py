"""The decision whether a tagging run weights its jets, shared by in-memory and streamed splits."""

from __future__ import annotations

import logging

import pytest

from experiments.tagging.split_weights import splits_are_weighted

SOURCES = {"train": "a.h5", "val": "b.h5", "test": "c.h5"}


def test_weights_are_used_only_when_every_split_has_them_and_use_weights_is_on(caplog):
    assert splits_are_weighted(dict.fromkeys(SOURCES, True), SOURCES, True)
    assert not splits_are_weighted(dict.fromkeys(SOURCES, False), SOURCES, True)
    with caplog.at_level(logging.INFO, logger="lorentznets"):
        assert not splits_are_weighted(dict.fromkeys(SOURCES, True), SOURCES, False)
    assert any("data.use_weights=false: ignoring" in record.getMessage() for record in caplog.records)


def test_weights_in_only_some_splits_name_the_splits_without_and_their_files():
    has_weights = {"train": True, "val": False, "test": True}
    with pytest.raises(ValueError, match=r"only some splits .* missing in \{'val': 'b\.h5'\}"):
        splits_are_weighted(has_weights, SOURCES, True)
    assert not splits_are_weighted(has_weights, SOURCES, False)
