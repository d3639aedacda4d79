"""Atomic checkpoint writing and loading that never runs code."""

from __future__ import annotations

import os
import random
import re

import numpy as np
import pytest
import torch

from experiments.common.checkpoint import CheckpointError, load_checkpoint, remove_stale_temporaries, save_atomic
from experiments.common.seeding import get_rng_state, seed_everything, set_rng_state


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


class _RunsCode:
    """Pickles to a call of os.system: what a crafted checkpoint would hold."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def test_crafted_checkpoint_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "executed"
    path = tmp_path / "last.pt"
    torch.save({"model": {}, "payload": _RunsCode(marker)}, path)
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"refused to load {path}: it asks for the global posix.system")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "is empty (0 bytes)"), (b"not a checkpoint at all", "is truncated or not a torch checkpoint")],
)
def test_broken_checkpoint_names_the_file(tmp_path, content, expected):
    path = tmp_path / "last.pt"
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=re.escape(f"checkpoint {path} {expected}")):
        load_checkpoint(path)


def test_truncated_checkpoint_names_the_file(tmp_path):
    path = save_atomic({"w": torch.randn(1000)}, tmp_path / "last.pt")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="is truncated or not a torch checkpoint"):
        load_checkpoint(path)


def test_stale_temporaries_are_removed(tmp_path):
    save_atomic({"step": 1}, tmp_path / "last.pt")
    stale = tmp_path / ".last.pt.abc123.tmp"
    stale.write_bytes(b"half a checkpoint")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]


def test_rng_state_loads_weights_only_and_restores_the_generators(tmp_path):
    seed_everything(7)
    random.random(), np.random.randn(), torch.rand(1)
    path = save_atomic({"rng": get_rng_state()}, tmp_path / "rng.pt")
    expected = (random.random(), float(np.random.randn()), float(np.random.rand()), float(torch.rand(1)))
    set_rng_state(load_checkpoint(path)["rng"])
    assert (random.random(), float(np.random.randn()), float(np.random.rand()), float(torch.rand(1))) == expected


def test_only_hidden_temporaries_of_save_atomic_are_removed(tmp_path):
    save_atomic({"step": 1}, tmp_path / "last.pt")
    stale = tmp_path / ".last.pt.k9x2.tmp"
    stale.write_bytes(b"half a checkpoint")
    users = [tmp_path / "notes.tmp", tmp_path / "last.pt.tmp"]
    for path in users:
        path.write_text("the user's own file")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.pt", "last.pt.tmp", "notes.tmp"]
    assert all(path.read_text() == "the user's own file" for path in users)


def test_checkpoints_get_the_mode_of_other_files(tmp_path):
    """mkstemp's 0600 kept colleagues sharing a run folder from loading its models."""
    previous = os.umask(0o022)
    try:
        path = save_atomic({"x": 1}, tmp_path / "model.pt")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644
