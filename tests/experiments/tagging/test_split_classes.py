"""The classes of a split against ``data.class_names``: labels outside them and single-class
splits are refused, named classes without jets are reported."""

from __future__ import annotations

import logging

import pytest

from experiments.tagging.dataset import check_split_classes


def test_named_classes_without_jets_are_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        check_split_classes([0, 1], ["gluon", "quark", "top"], "train", "qg.h5")
    (record,) = caplog.records
    assert record.getMessage() == (
        "qg.h5: the train split has no jets of the class(es) ['top'] of data.class_names ['gluon', 'quark', 'top']"
    )


def test_a_split_with_every_class_passes_silently(caplog):
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        check_split_classes([0, 1, 2], ["a", "b", "c"], "val", "f.h5")
    assert not caplog.records


@pytest.mark.parametrize(
    ("present", "message"),
    [([0, 3], r"labels \[0, 3\] outside 0\.\.2"), ([1], r"holds only the class\(es\) \['b'\]")],
)
def test_labels_outside_the_classes_and_single_classes_are_refused(present, message):
    with pytest.raises(ValueError, match=message):
        check_split_classes(present, ["a", "b", "c"], "test", "f.h5")
