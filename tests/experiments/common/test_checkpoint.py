"""Atomic checkpoint writing."""

from __future__ import annotations

import pytest
import torch

from experiments.common.checkpoint import load_checkpoint, save_atomic


class _Unpicklable:
    def __reduce__(self):
        raise RuntimeError("cannot pickle")


def test_round_trip_and_no_temporary_files(tmp_path):
    path = save_atomic({"w": torch.arange(3), "step": 5}, tmp_path / "sub" / "ckpt.pt")
    state = load_checkpoint(path)
    assert state["step"] == 5 and torch.equal(state["w"], torch.arange(3))
    assert [p.name for p in path.parent.iterdir()] == ["ckpt.pt"]


def test_failed_save_keeps_previous_checkpoint(tmp_path):
    path = save_atomic({"step": 1}, tmp_path / "ckpt.pt")
    with pytest.raises(RuntimeError, match="cannot pickle"):
        save_atomic({"step": 2, "bad": _Unpicklable()}, path)
    assert load_checkpoint(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]


def test_missing_checkpoint_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.pt"):
        load_checkpoint(tmp_path / "nothing.pt")
