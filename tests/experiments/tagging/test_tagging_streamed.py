"""Tagging runs that stream a JetClass-layout directory (one class per ROOT file) instead of
holding it in memory: training, evaluation, and a resume that continues the stream exactly."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config, run_torchrun
from omegaconf import OmegaConf
from tagging_test_utils import tagging_overrides

from experiments.common.errors import ExperimentInputError
from experiments.common.trainer import Trainer
from experiments.registry import get_experiment
from experiments.tagging.features import reading_options
from experiments.tagging.streamed import StreamedJetDataset, streamed_splits
from tests.data.readers.jet_files import random_jets, write_jetclass, write_lgn

CLASSES = ["QCD", "Hbb", "Hcc"]


@pytest.fixture(scope="module")
def jetclass_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jetclass_run")
    for label in range(len(CLASSES)):
        momenta, counts = random_jets(300, 16, seed=label)
        # Classes differ in their constituents' spread, so a tagger can learn something.
        momenta[..., 1:3] *= 1 + label
        momenta[..., 0] = np.linalg.norm(momenta[..., 1:], axis=-1)
        write_jetclass(folder / f"{CLASSES[label]}_000.root", momenta, counts, np.full(300, label), basket_entries=64)
    return folder


def _overrides(tmp_path, folder, **extra):
    values = {
        "data.format": "jetclass_root",
        "data.max_jets": "null",
        "data.max_particles": 16,
        "data.class_names": f"[{','.join(CLASSES)}]",
        "data.split_fractions": "[0.8,0.1,0.1]",
        "data.streaming": True,
        "data.stream.block_jets": 32,
        "data.stream.window_jets": 320,
        "data.stream.sample_jets": 32,
        "training.scheduler.name": "constant",
        "training.iterations": 20,
        "training.validate_every": 10,
        **extra,
    }
    return tagging_overrides(tmp_path, f"{folder}/*.root", **values)


def _run(overrides):
    experiment = get_experiment("jetclass")(compose_config("jetclass", overrides))
    return experiment, experiment.run()


@pytest.mark.slow
def test_streamed_run_trains_evaluates_and_resumes_exactly(tmp_path, jetclass_dir, monkeypatch):
    experiment, metrics = _run(_overrides(tmp_path, jetclass_dir, run_name="whole"))
    assert isinstance(experiment.datasets["train"], StreamedJetDataset)
    assert {"test.accuracy", "test.auc_QCD", "test.auc_Hbb", "test.auc_Hcc"} <= set(metrics)
    checkpoint = torch.load(tmp_path / "runs/jetclass/whole/checkpoints/last.pt", weights_only=True)
    assert checkpoint["train_stream"]["batch"] == 20
    files = checkpoint["train_stream"]["layout"]["files"]
    assert sorted(Path(name).name for name in files) == sorted(f"{name}_000.root" for name in CLASSES)

    # interrupted right after the checkpoint at step 10 (a resume with other training.iterations is
    # refused: its schedule would differ), then resumed with the run's own settings
    validate = Trainer._validate_and_checkpoint

    def validate_then_stop(self, *args):
        stop = validate(self, *args)
        if self.step == 10:
            raise KeyboardInterrupt
        return stop

    monkeypatch.setattr(Trainer, "_validate_and_checkpoint", validate_then_stop)
    with pytest.raises(KeyboardInterrupt):
        _run(_overrides(tmp_path, jetclass_dir, run_name="split"))
    monkeypatch.undo()
    _, resumed = _run(_overrides(tmp_path, jetclass_dir, run_name="split", resume=True))
    assert resumed == metrics

    def weights(run):
        last = sorted((tmp_path / "runs/jetclass" / run / "models").glob("*.pt"))[-1]
        return torch.load(last, weights_only=True)["model"]

    whole, split = weights("whole"), weights("split")
    assert all(torch.equal(whole[key], split[key]) for key in whole)


def _streamed_splits(data_cfg, class_names):
    """The streamed splits of ``data_cfg`` with its reading options, in batches of 32 on one process."""
    return streamed_splits(data_cfg, reading_options(data_cfg), class_names, 32, 0, 0, 1, 0)


def test_auto_reads_small_splits_in_memory(tmp_path, jetclass_dir):
    cfg = compose_config("jetclass", _overrides(tmp_path, jetclass_dir, **{"data.streaming": "auto"}))
    data_cfg = OmegaConf.to_container(cfg.data, resolve=True)
    assert _streamed_splits(data_cfg, CLASSES) is None
    data_cfg["memory_cap_gb"] = 5.8e-4  # below the 0.6 MB of the splits, above the stream's bound
    streamed = _streamed_splits(data_cfg, CLASSES)
    assert sorted(streamed) == ["test", "train", "val"]
    assert streamed["train"].training.num_jets == 3 * 240


def _lgn_file(path, labels, weights=None):
    momenta, _ = random_jets(len(labels), 8, seed=len(labels))
    write_lgn(path, momenta, labels)
    if weights is not None:
        with h5py.File(path, "r+") as file:
            file["weight"] = weights
    return path


def _data_cfg(tmp_path, pattern, **extra):
    cfg = compose_config("toptagging", tagging_overrides(tmp_path, pattern, **{"data.streaming": True, **extra}))
    return OmegaConf.to_container(cfg.data, resolve=True)


def test_streamed_weights_are_divided_by_their_class_mean(tmp_path):
    labels = np.arange(400) % 2
    weights = np.where(labels == 1, 4.0, 0.5) * (1 + np.arange(400) % 3)
    _lgn_file(tmp_path / "w.h5", labels, weights)
    cfg = _data_cfg(
        tmp_path,
        tmp_path / "w.h5",
        **{"data.stream.block_jets": 20, "data.stream.window_jets": 64, "data.stream.sample_jets": 400},
    )
    splits = _streamed_splits(cfg, ["QCD", "top"])
    batch = next(iter(splits["train"]))
    assert batch["weights"].dtype == torch.float32
    # Class means of the sampled train rows (the first half of the file): 2 * 0.5 and 2 * 4.
    expected = weights[:200].reshape(-1)
    means = {label: expected[labels[:200] == label].mean() for label in (0, 1)}
    for label in (0, 1):
        torch.testing.assert_close(splits["train"].weight_means[label].item(), float(means[label]))
    assert set(batch) == {"momenta", "mask", "labels", "weights", "jets"}
    raw = batch["weights"].double() * splits["train"].weight_means[batch["labels"]]
    allowed = torch.tensor([0.5, 1.0, 1.5, 4.0, 8.0, 12.0], dtype=torch.float64)
    assert torch.isclose(raw[:, None], allowed, rtol=1e-6).any(dim=1).all()


def test_streamed_split_of_one_class_is_refused(tmp_path):
    _lgn_file(tmp_path / "qcd.h5", np.zeros(300, dtype=np.int64))
    cfg = _data_cfg(tmp_path, tmp_path / "qcd.h5", **{"data.stream.block_jets": 20, "data.stream.window_jets": 64})
    with pytest.raises(ValueError, match=r"the train split holds only the class\(es\) \['QCD'\] .* first 150 jets"):
        _streamed_splits(cfg, ["QCD", "top"])


def test_streamed_labels_outside_the_classes_are_refused(tmp_path, jetclass_dir):
    cfg = compose_config("jetclass", _overrides(tmp_path, jetclass_dir, **{"data.class_names": "[QCD,Hbb]"}))
    data_cfg = OmegaConf.to_container(cfg.data, resolve=True)
    with pytest.raises(ValueError, match=r"train split has labels \[0, 1, 2\] outside 0\.\.1 .* first 96 jets sampled"):
        _streamed_splits(data_cfg, ["QCD", "Hbb"])


@pytest.mark.slow
def test_streamed_run_under_torchrun_shards_the_stream(tmp_path, jetclass_dir):
    overrides = _overrides(tmp_path, jetclass_dir, run_name="ddp", device="cpu", **{"data.stream.window_jets": 160})
    done = run_torchrun(["run.py", "-cn", "jetclass", *overrides])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    state = torch.load(tmp_path / "runs/jetclass/ddp/checkpoints/last.pt", weights_only=True)
    assert state["world_size"] == 2
    assert state["train_stream"]["layout"]["world_size"] == 2
    assert state["train_stream"]["layout"]["batch_size"] == 16
    (evaluation,) = (tmp_path / "runs/jetclass/ddp/evaluation").glob("*.json")
    assert "test.auc_Hcc" in json.loads(evaluation.read_text())


@pytest.mark.slow
def test_capped_streamed_validation_is_the_same_with_two_processes(tmp_path, jetclass_dir):
    """training.max_val_batches=1 validates the same 16 jets, of all files, in 1 and 2 processes
    (the weights do not move: lr 1e-30). It read the first batch of each rank's own blocks (a class
    per file), and a rank without a batch stopped the run with KeyError: 'loss'."""
    capped = {
        "device": "cpu",
        "data.stream.window_jets": 160,
        "training.max_val_batches": 1,
        "evaluation.batchsize": 16,
        "training.optimizer.lr": 1e-30,
        "training.iterations": 2,
        "training.validate_every": 1,
        "evaluate": False,
    }
    _run(_overrides(tmp_path, jetclass_dir, run_name="one", **capped))
    done = run_torchrun(["run.py", "-cn", "jetclass", *_overrides(tmp_path, jetclass_dir, run_name="two", **capped)])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    one, two = (
        torch.load(tmp_path / f"runs/jetclass/{run}/checkpoints/last.pt", weights_only=True) for run in ("one", "two")
    )
    assert two["world_size"] == 2
    torch.testing.assert_close(two["history"]["val_loss"], one["history"]["val_loss"], rtol=1e-6, atol=0)


def test_a_class_whose_sampled_weights_sum_to_zero_is_refused():
    """The in-memory path refuses it too (class_normalised_weights): dividing by a zero mean would
    give infinite batch weights."""
    from experiments.tagging.streamed import _weight_means
    from lorentznets.data.readers.stream_sample import StreamSample

    good = StreamSample([0, 1], {0: 5, 1: 5}, 10.0, 0, {0: 1.0, 1: 2.0}, 10)
    bad = StreamSample([0, 1], {0: 5, 1: 5}, 10.0, 0, {0: 1.0, 1: 0.0}, 10)
    means = _weight_means({"train": good}, {"train": "t.h5"}, True, 2)
    torch.testing.assert_close(means["train"], torch.tensor([1.0, 2.0], dtype=torch.float64))
    with pytest.raises(
        ValueError, match=r"val split: the per-jet weights sampled for the class labels \[1\] sum to zero"
    ):
        _weight_means({"train": good, "val": bad}, {"train": "t.h5", "val": "v.h5"}, True, 2)


def test_a_bad_jet_met_while_streaming_stops_the_run_in_one_line(tmp_path):
    path = _lgn_file(tmp_path / "late_nan.h5", np.arange(800) % 2)
    with h5py.File(path, "r+") as file:
        file["Pmu"][500, 0, 3] = np.nan  # not among the jets sampled at the start
    stream = {"data.stream.window_jets": 64, "data.stream.block_jets": 8, "data.stream.sample_jets": 8}
    training = {"training.batchsize": 32, "training.iterations": 25, "training.validate_every": 100}
    overrides = tagging_overrides(tmp_path, path, **{"data.streaming": True, **stream, **training})
    experiment = get_experiment("toptagging")(compose_config("toptagging", overrides))
    with pytest.raises(ExperimentInputError) as info:
        experiment.run()
    message = str(info.value)
    assert message.startswith("toptagging: bad data while streaming: ") and "\n" not in message
    assert "late_nan.h5" in message and "first bad jet index 500" in message
