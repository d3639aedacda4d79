"""Under DDP a training step of the assignment reduces the divisors of all its loss terms (present
particles, known regression values, labelled events) in one all-reduce; it made one per term (three
with event targets). In one process the loss is exactly that of the losses' own counts."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
import torch
import torch.distributed as dist

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from experiment_test_utils import compose_config  # noqa: E402
from sync_free import build_experiment, first_batch  # noqa: E402
from test_assignment_experiment import overrides  # noqa: E402

from lorentznets.assignment.event_loss import classification_losses, regression_losses  # noqa: E402
from lorentznets.assignment.loss import assignment_loss  # noqa: E402


@pytest.fixture
def gloo_group(tmp_path):
    """A real gloo process group of one process, for the collectives a DDP step runs."""
    dist.init_process_group("gloo", store=dist.FileStore(str(tmp_path / "store"), 1), rank=0, world_size=1)
    yield
    dist.destroy_process_group()


@pytest.fixture
def experiment(tmp_path, event_target_file):
    """A tiny transformer on events with regression and classification targets (some missing)."""
    extra = {"model.net.hidden_channels": 8, "model.net.num_blocks": 1}
    extra["data.event_file"] = str(event_target_file.with_suffix(".yaml"))
    extra["training.regression_loss_weight"] = 0.7
    extra["training.classification_loss_weight"] = 0.3
    return build_experiment(compose_config("ttbar_assignment", overrides(tmp_path, event_target_file, **extra)))


def _losses(experiment, batch) -> dict[str, torch.Tensor]:
    experiment.model.train()
    torch.manual_seed(0)
    loss, parts = experiment.batch_loss(batch)
    return {"loss": loss.detach(), **parts}


def test_one_process_loss_is_that_of_the_losses_own_counts(experiment):
    batch = first_batch(experiment, size=16)
    got = _losses(experiment, batch)["loss"]
    torch.manual_seed(0)
    log_probs, detection, (regressions, logits) = experiment._forward(experiment.model, batch)
    training = experiment.cfg.training
    expected, _ = assignment_loss(
        log_probs, detection, batch["targets"], experiment.topology, experiment.cfg.heads.detection_weight
    )
    expected = expected + training.regression_loss_weight * (
        regression_losses(experiment.raw_model.event_heads, regressions, batch["regressions"]).sum()
    )
    expected = expected + training.classification_loss_weight * (
        classification_losses(logits, batch["classifications"]).sum()
    )
    torch.testing.assert_close(got, expected.detach(), rtol=0, atol=0)


def test_a_training_step_all_reduces_once(experiment, gloo_group, monkeypatch):
    batch = first_batch(experiment, size=16)
    single = _losses(experiment, batch)
    reduced = []
    all_reduce = dist.all_reduce

    def counted(tensor, *args, **kwargs):
        reduced.append(tensor.clone())
        return all_reduce(tensor, *args, **kwargs)

    monkeypatch.setattr(dist, "all_reduce", counted)
    # two processes as the loss sees them; the one-process group's sum is this rank's own counts,
    # so every divisor is halved
    experiment.dist = dataclasses.replace(experiment.dist, world_size=2)
    two = _losses(experiment, batch)
    num_regressions, num_classifications = batch["regressions"].shape[1], batch["classifications"].shape[1]
    assert num_regressions > 0 and num_classifications > 0
    # before: [(), (R,), (T,)], one all-reduce per loss term
    assert [tuple(counts.shape) for counts in reduced] == [(1 + num_regressions + num_classifications,)]
    # each term got its own divisor from the stacked counts: the mean terms doubled, detection (per event) not
    for key in ("assignment_loss", "regression_loss", "classification_loss"):
        torch.testing.assert_close(two[key], 2 * single[key], rtol=1e-6, atol=0)
    torch.testing.assert_close(two["detection_loss"], single["detection_loss"], rtol=0, atol=0)
    # validation reduces nothing
    experiment.model.eval()
    with torch.no_grad():
        experiment.batch_loss(batch)
    assert len(reduced) == 1
