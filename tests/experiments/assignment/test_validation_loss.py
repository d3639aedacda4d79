"""The assignment validation loss is the training loss of the whole split at once: a mean per present
particle, per event and per known event target, whatever the batch size."""

import pytest
import torch
from experiment_test_utils import compose_config, two_rank_validation_sums
from test_assignment_experiment import overrides

from experiments.registry import get_experiment
from lorentznets.assignment.loss import particle_present

TINY = {"model.net.hidden_channels": 8, "model.net.num_blocks": 1}


@pytest.fixture(scope="module")
def trained(tmp_path_factory, event_target_file):
    """A briefly trained transformer on events with regression and classification targets
    (some missing), all-hadronic ttbar with 6 to 10 jets, partially matched."""
    settings = {
        **TINY,
        "data.event_file": str(event_target_file.with_suffix(".yaml")),
        "training.iterations": 2,
        "training.validate_every": 2,
        "training.regression_loss_weight": 0.7,
        "training.classification_loss_weight": 0.3,
        "heads.detection_weight": 0.5,
        "evaluate": False,
        "plot": False,
    }
    cfg = compose_config(
        "ttbar_assignment", overrides(tmp_path_factory.mktemp("validation"), event_target_file, **settings)
    )
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    return experiment


def _whole_split(experiment) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict]:
    """batch_loss of the validation split as one batch, and that batch."""
    dataset = experiment.datasets["val"]
    batch = experiment.to_device(experiment.collate(dataset.__getitems__(list(range(len(dataset))))))
    experiment.raw_model.eval()
    with torch.no_grad():
        loss, parts = experiment.batch_loss(batch)
    return loss, parts, batch


def test_the_validation_loss_is_the_loss_of_the_whole_split(trained):
    expected, parts, batch = _whole_split(trained)
    # the test means something: events differ in jets, present particles and known targets
    present = torch.stack([particle_present(t) for t in batch["targets"]], dim=-1).sum(1)
    assert len(set(batch["mask"].sum(1).tolist())) > 1 and len(set(present.tolist())) > 1
    assert torch.isnan(batch["regressions"]).any(0).all() and (batch["classifications"] < 0).any()
    for size in (4, 13):
        trained.cfg.evaluation.batchsize = size
        loss, metrics = trained.trainer.validate()
        # weighted per event these gave 7.5738 (4) and 7.6166 (13) against 7.6627 (regression term 2.53, 2.60, 2.69)
        assert loss == pytest.approx(expected.item(), rel=1e-5)
        assert metrics.keys() == {"assignment_loss", "detection_loss", "regression_loss", "classification_loss"}
        for key, value in metrics.items():
            assert value == pytest.approx(parts[key].item(), rel=1e-5), key


def test_two_processes_give_the_loss_of_one(trained, monkeypatch):
    trained.cfg.evaluation.batchsize = 4
    single = trained.trainer.validate()[0]
    sums = two_rank_validation_sums(trained)
    # the trainer's reduction of what the all-reduce of the two ranks gives
    monkeypatch.setattr(trained.trainer, "_validation_sums", lambda: sums)
    # weighted per event: 7.5691 against 7.5738 in one process
    assert trained.trainer.validate()[0] == pytest.approx(single, rel=1e-6)
