"""The classes of a split against ``data.class_names``: labels outside them and single-class
splits are refused, named classes without jets are reported."""

from __future__ import annotations

import logging

import pytest

from experiments.tagging.dataset import check_split_classes


def test_named_classes_without_jets_are_reported(caplog):
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        check_split_classes([0, 1], ["gluon", "quark", "top"], "val", "qg.h5")
        check_split_classes([0, 1], ["gluon", "quark", "top"], "train", "qg.h5", " (in the first window)")
    first, second = (record.getMessage() for record in caplog.records)
    assert first == (
        "qg.h5: the val split has no jets of the class(es) ['top'] of data.class_names ['gluon', 'quark', 'top']"
    )
    assert second.startswith("qg.h5: the train split has no jets of the class(es) ['top']")


def test_a_named_class_without_training_jets_is_refused():
    # class_names=[QCD,top,W] on a binary file trained a three-class tagger with an untrained W output
    with pytest.raises(ValueError, match=r"qg.h5: the training split has no jets of the class\(es\) \['top'\]"):
        check_split_classes([0, 1], ["gluon", "quark", "top"], "train", "qg.h5", every_class=True)


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


def test_a_class_missing_from_the_training_split_only_warns_without_every_class(caplog):
    # an evaluation (train=false), or JetClass files holding later classes only (QCD and TTBar
    # files name Hbb ... too): a warning
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        check_split_classes([0, 2], ["QCD", "Hbb", "Hcc"], "train", "jc.root")
    assert "the train split has no jets of the class(es) ['Hbb']" in caplog.text
