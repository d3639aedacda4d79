"""The tagging training loss has no host-device synchronisation (see ``tests/experiments/sync_free.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from experiment_test_utils import compose_config  # noqa: E402
from sync_free import assert_batch_loss_sync_free, build_experiment, first_batch  # noqa: E402
from tagging_test_utils import tagging_overrides  # noqa: E402

NETS = {
    "gatr": ["model.net.num_blocks=1", "model.net.hidden_mv_channels=2", "model.net.hidden_s_channels=4"],
    "transformer": [],
    "lorentznet": ["model.net.hidden_channels=8", "model.net.num_blocks=1"],
    # frame pairs and packed tokens from the collate's host inputs
    "lloca_transformer": [
        "model.net.num_blocks=1",
        "model.net.num_heads=2",
        "model.wrapper.frames.vector_net.hidden_channels=8",
    ],
    # real pairs and real particles from the host inputs
    "part": ["model.net.num_layers=1", "model.net.num_heads=2", "model.net.embed_dims=[16]"],
    "lloca_part": ["model.net.num_layers=1", "model.net.num_heads=2", "model.net.embed_dims=[32]"],
}


@pytest.mark.parametrize(
    ("model", "weighted"),
    [
        ("gatr", False),
        ("lorentznet", True),
        ("transformer", True),
        ("lloca_transformer", False),
        ("part", False),
        ("lloca_part", True),
    ],
)
def test_tagging_batch_loss_traces_as_one_graph(tmp_path, jets_file, model, weighted):
    overrides = tagging_overrides(tmp_path, jets_file, **{"model": model})
    overrides = [o for o in overrides if not o.startswith("model.net.")] + NETS[model]
    if model == "transformer":
        overrides += ["model.net.hidden_channels=16", "model.net.num_blocks=1", "model.net.num_heads=2"]
    cfg = compose_config("toptagging", overrides)
    experiment = build_experiment(cfg)
    batch = first_batch(experiment)
    if weighted:
        batch["weights"] = batch["labels"].double() + 0.5
    assert_batch_loss_sync_free(experiment, batch)


@pytest.mark.parametrize("model", ["transformer", "part"])
def test_weaver_convention_batch_loss_with_the_full_jets_traces_as_one_graph(tmp_path, jets_file, model):
    """The batches' ``jets`` reach the forward of a ``data.features=weaver`` tagger as a tensor input."""
    overrides = tagging_overrides(tmp_path, jets_file, **{"model": model, "data.features": "weaver"})
    overrides = [o for o in overrides if not o.startswith("model.net.")] + NETS[model]
    if model == "transformer":
        overrides += ["model.net.hidden_channels=16", "model.net.num_blocks=1", "model.net.num_heads=2"]
    experiment = build_experiment(compose_config("toptagging", overrides))
    batch = first_batch(experiment)
    assert experiment.raw_model.takes_jets and batch["jets"].shape == (len(batch["labels"]), 4)
    assert_batch_loss_sync_free(experiment, batch)
