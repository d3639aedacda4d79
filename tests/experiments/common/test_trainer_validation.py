"""The reduction of validation sums over ranks, with a rank that got no validation batch."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from experiments.common.trainer import Trainer


class _TwoRanks:
    """The collectives of one rank of two, with the other rank's sums given: it runs the same code,
    sending the keys gathered from both ranks, or its own keys when none were gathered (tensor shapes
    checked as gloo would)."""

    world_size = 2

    def __init__(self, other_totals: dict[str, float], other_count: float) -> None:
        self.other_totals, self.other_count = other_totals, other_count
        self.keys = sorted(other_totals)

    def all_gather_object(self, obj):
        self.keys = sorted(set(self.keys) | set(obj))
        return [sorted(self.other_totals), obj]

    def all_reduce_sum(self, tensor: torch.Tensor) -> torch.Tensor:
        # per key its weighted sum and its sum of weights, as Trainer._validation_sums gives them
        other = [
            [self.other_totals[key], self.other_count] if key in self.other_totals else [0.0, 0.0] for key in self.keys
        ]
        other = torch.tensor(other, dtype=torch.float64).reshape(len(self.keys), 2)
        assert tensor.shape == other.shape, "the ranks send tensors of different shapes"
        return tensor + other


def _validate(totals: dict[str, float], count: float, dist) -> tuple[float, dict[str, float]]:
    """Trainer.validate on a rank whose batches summed to ``totals`` over ``count`` samples."""
    model = torch.nn.Identity()
    sums = {key: torch.tensor([value, count], dtype=torch.float64) for key, value in totals.items()}
    trainer = SimpleNamespace(
        task=SimpleNamespace(model=model),
        raw_model=model,
        model=model,
        dist=dist,
        _validation_sums=lambda: sums,
    )
    return Trainer.validate(trainer)


def test_a_rank_without_validation_batches_sends_zero_sums():
    """It raised KeyError: 'loss' (its keys came from its own, empty, totals)."""
    other = {"loss": 6.0, "accuracy": 3.0}
    assert _validate({}, 0.0, _TwoRanks(other, 4.0)) == (1.5, {"accuracy": 0.75})
    assert _validate({"loss": 2.0, "accuracy": 2.0}, 4.0, _TwoRanks({}, 0.0)) == (0.5, {"accuracy": 0.5})


def test_no_validation_batch_on_any_rank_is_refused_in_one_line():
    with pytest.raises(ValueError, match="no process got a batch of the val split"):
        _validate({}, 0.0, _TwoRanks({}, 0.0))
