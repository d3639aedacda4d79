"""Experiment and wrapper registries."""

from __future__ import annotations

import pytest
from torch import nn

from experiments.registry import (
    UnsafeImportError,
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


def test_a_package_inside_a_run_folder_is_not_imported_for_its_submodule(tmp_path, monkeypatch):
    """find_spec("pkg.sub") imports "pkg": the package is checked before its submodule is looked up."""
    run_dir = tmp_path / "runs" / "toy" / "shared"
    package, marker = run_dir / "evilpkg", tmp_path / "executed"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (package / "sub.py").write_text("class Evil: ...\n")
    monkeypatch.syspath_prepend(str(run_dir))
    with pytest.raises(UnsafeImportError, match=r"refused to import experiment 'evilpkg\.sub:Evil' from .*evilpkg"):
        get_experiment("evilpkg.sub:Evil")
    assert not marker.exists()
