"""Experiment and wrapper registries."""

from __future__ import annotations

import pytest
from torch import nn

from experiments.registry import (
    available_experiments,
    get_experiment,
    get_wrapper,
    register_experiment,
    register_wrapper,
    wrappers_for,
)


def test_tagging_experiments_and_wrappers_are_found():
    assert {"toptagging", "qgtagging", "jetclass"} <= set(available_experiments())
    assert get_experiment("toptagging") is get_experiment("jetclass")
    assert {"transformer", "gatr"} <= set(wrappers_for("tagging"))


def test_unknown_names_list_the_choices():
    with pytest.raises(KeyError, match="unknown experiment 'nope'.*toptagging"):
        get_experiment("nope")
    with pytest.raises(KeyError, match="no tagging wrapper for model 'nope'.*transformer"):
        get_wrapper("tagging", "nope")


def test_dotted_path_and_duplicate_registration():
    assert get_experiment("experiments.tagging.experiment:TaggingExperiment").__name__ == ("TaggingExperiment")

    @register_wrapper("unit_test_family", "net")
    class Wrapper(nn.Module):
        pass

    assert get_wrapper("unit_test_family", "net") is Wrapper
    with pytest.raises(ValueError, match="registered twice"):
        register_wrapper("unit_test_family", "net")(type("Other", (nn.Module,), {}))
    with pytest.raises(ValueError, match="registered twice"):
        register_experiment("toptagging")(type("Other", (), {}))
