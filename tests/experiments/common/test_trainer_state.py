"""TrainerState round trip, and checkpoints of earlier versions."""

from __future__ import annotations

import pytest
import torch

from experiments.common.trainer_state import ADDED_FIELDS, TrainerState


def test_round_trip_and_weights_only_load(tmp_path):
    state = TrainerState(step=7, model={"w": torch.ones(2)}, train_stream={"epoch": 1, "window": 3})
    torch.save(state.to_dict(), tmp_path / "last.pt")
    loaded = TrainerState.from_dict(torch.load(tmp_path / "last.pt", weights_only=True), "last.pt")
    assert loaded.step == 7 and loaded.train_stream == {"epoch": 1, "window": 3}
    torch.testing.assert_close(loaded.model["w"], torch.ones(2))


def test_a_checkpoint_from_before_an_added_field_loads_with_its_default():
    payload = TrainerState(step=3).to_dict()
    for name in ADDED_FIELDS:
        del payload[name]
    assert TrainerState.from_dict(payload, "old.pt").train_stream == {}


@pytest.mark.parametrize("change", ["missing", "unknown"])
def test_other_payloads_are_refused_naming_the_file(change):
    payload = TrainerState().to_dict()
    if change == "missing":
        del payload["optimizer"]
    else:
        payload["surprise"] = 1
    with pytest.raises(ValueError, match=r"old\.pt is not a training checkpoint of this version"):
        TrainerState.from_dict(payload, "old.pt")
