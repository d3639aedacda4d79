"""Fine-tuning from saved models: weights loaded, heads re-initialised, mismatches named."""

from __future__ import annotations

import pytest
import torch

import experiments.tagging.experiment  # noqa: F401 - registers the tagging wrappers
from experiments.common.checkpoint import CheckpointError, save_atomic
from experiments.common.finetune import (
    finetune_source,
    finetune_state_dict,
    load_finetune_weights,
    read_finetune_source,
)
from experiments.registry import get_wrapper

NET = {"hidden_channels": 8, "num_blocks": 1, "num_heads": 2}


def _tagger(out_channels: int, seed: int, net: dict = NET) -> torch.nn.Module:
    torch.manual_seed(seed)
    return get_wrapper("tagging", "transformer")(net=net, out_channels=out_channels, num_scalars=0)


def test_backbone_is_loaded_and_a_head_of_another_size_reinitialised(tmp_path):
    trained = _tagger(1, seed=0)
    trained.set_momentum_scale(7.0)
    path = save_atomic({"model": trained.state_dict(), "step": 5}, tmp_path / "models" / "model_run0.pt")
    fresh = _tagger(3, seed=1)
    initial_head = fresh.net.linear_out.weight.detach().clone()
    file, checkpoint = read_finetune_source(tmp_path)
    assert file == path
    load_finetune_weights(checkpoint, file, fresh, "model transformer")
    for key, value in trained.state_dict().items():
        if not key.startswith("net.linear_out."):
            assert torch.equal(fresh.state_dict()[key], value), key
    assert torch.equal(fresh.net.linear_out.weight, initial_head)
    assert fresh.momentum_scale == 7.0

    same_size = _tagger(1, seed=2)
    state, reinitialised = finetune_state_dict(trained.state_dict(), same_size, ("net.linear_out.",), "f.pt")
    assert reinitialised == [] and torch.equal(state["net.linear_out.weight"], trained.net.linear_out.weight)


def test_another_backbone_is_refused_naming_file_key_and_shapes():
    trained = _tagger(1, seed=0)
    wider = _tagger(1, seed=0, net={**NET, "hidden_channels": 16})
    with pytest.raises(ValueError, match=r"f\.pt: backbone entry 'net\..*' has shape \(8, .*\(16, "):
        finetune_state_dict(trained.state_dict(), wider, ("net.linear_out.",), "f.pt")
    deeper = _tagger(1, seed=0, net={**NET, "num_blocks": 2})
    with pytest.raises(ValueError, match=r"f\.pt: its model does not match .*keys missing there \['net\.blocks\.1\."):
        finetune_state_dict(trained.state_dict(), deeper, ("net.linear_out.",), "f.pt")


def test_sources_are_run_folders_with_models_or_checkpoint_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such run folder or checkpoint file"):
        finetune_source(tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="holds no final model"):
        finetune_source(tmp_path)
    for index in (0, 1):
        save_atomic({"model": {}}, tmp_path / "models" / f"model_run{index}.pt")
    assert finetune_source(tmp_path) == tmp_path / "models" / "model_run1.pt"
    (tmp_path / "evil.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="evil.pt"):
        read_finetune_source(tmp_path / "evil.pt")
    save_atomic({"weights": {}}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match=r"other\.pt: not a model checkpoint"):
        read_finetune_source(tmp_path / "other.pt")
    file, checkpoint = read_finetune_source(tmp_path)
    with pytest.raises(ValueError, match="model mlp does not name its head"):
        load_finetune_weights(checkpoint, file, torch.nn.Linear(2, 2), "model mlp")
