"""``data.features`` in runs: validated with the config, saved with the model, and a warm start
with another convention refused (models saved before the setting read as ``lorentznets``)."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime
import pytest
import torch
from experiment_test_utils import compose_config
from tagging_test_utils import tagging_overrides, write_lgn_jets

from experiments.base_experiment import ExperimentInputError
from experiments.common.config_schema import ConfigError
from experiments.common.onnx_export import PARITY_ATOL, PARITY_RTOL
from experiments.registry import get_experiment
from experiments.tagging.wrappers import TransformerTaggingWrapper
from lorentznets.data.readers import load_jets
from tests.data.readers.jet_files import random_jets, write_energyflow, write_jetclass

TINY = {
    "training.iterations": 2,
    "training.validate_every": 2,
    "training.batchsize": 8,
    "evaluate": False,
    "plot": False,
}


def _experiment(tmp_path, data_path, config="toptagging", **overrides):
    cfg = compose_config(config, tagging_overrides(tmp_path, data_path, run_name="r", **TINY, **overrides))
    return get_experiment(cfg.experiment)(cfg)


def test_unknown_convention_is_refused_with_the_config(tmp_path):
    cfg = compose_config("toptagging", tagging_overrides(tmp_path, tmp_path / "x.h5", **{"data.features": "ParT"}))
    with pytest.raises(ConfigError, match=r"data\.features.*lorentznets, weaver") as error:
        get_experiment(cfg.experiment).check_config(cfg)
    assert "\n" not in str(error.value)


def test_warm_start_keeps_the_saved_convention(tmp_path):
    data = write_lgn_jets(tmp_path / "jets.h5", num_jets=60)
    trained = _experiment(tmp_path, data, **{"data.features": "weaver"})
    trained.run()
    assert trained.raw_model.feature_convention == "weaver"
    path = tmp_path / "runs" / "toptagging" / "r" / "models" / "model_run0.pt"
    evaluate = {"train": False, "warm_start_idx": 0}
    with pytest.raises(
        ExperimentInputError, match=r"trained with other settings \(data\.features: 'weaver' -> 'lorentznets'\)"
    ) as error:
        _experiment(tmp_path, data, **evaluate).run()
    assert "\n" not in str(error.value)
    reloaded = _experiment(tmp_path, data, **evaluate, **{"data.features": "weaver"})
    reloaded.run()
    assert reloaded.raw_model.feature_convention == "weaver"
    # a model saved before the setting existed was trained on lorentznets's features
    checkpoint = torch.load(path, weights_only=True)
    del checkpoint["config"]["data"]["features"]
    torch.save(checkpoint, path)
    with pytest.raises(ExperimentInputError, match=r"data\.features: 'lorentznets' -> 'weaver'"):
        _experiment(tmp_path, data, **evaluate, **{"data.features": "weaver"}).run()
    assert _experiment(tmp_path, data, **evaluate).run() == {}


def test_resuming_a_training_begun_before_the_setting_keeps_its_convention(tmp_path):
    """A training whose saved settings predate ``data.features`` ran on lorentznets's features."""
    data = write_lgn_jets(tmp_path / "jets.h5", num_jets=60)
    _experiment(tmp_path, data).run()
    run = tmp_path / "runs" / "toptagging" / "r"
    (run / "models" / "model_run0.pt").unlink()  # as if killed before the final model
    last = run / "checkpoints" / "last.pt"
    checkpoint = torch.load(last, weights_only=True)
    del checkpoint["settings"]["data"]["features"]
    torch.save(checkpoint, last)
    resume = {"resume": True}
    with pytest.raises(ExperimentInputError, match=r"resume=true with other settings .*data\.features: 'lorentznets'"):
        _experiment(tmp_path, data, **resume, **{"data.features": "weaver"}).run()
    _experiment(tmp_path, data, **resume).run()
    assert (run / "models" / "model_run0.pt").is_file()


def test_weaver_convention_clips_the_impact_parameter_errors(tmp_path):
    """JetClass_full's ``[part_d0err, 0, 1, 0, 1]`` and ``[part_dzerr, 0, 1, 0, 1]``: the batches of a
    weaver-convention run carry the errors clipped to [0, 1], the other scalars as read."""
    momenta, counts = random_jets(40, 12, seed=0)
    path, _ = write_jetclass(tmp_path / "j.root", momenta, counts, np.arange(40) % 3)
    overrides = {
        "data.format": "jetclass_root",
        "data.max_jets": "null",
        "data.use_scalars": True,
        "data.impact_parameters": True,
        "data.class_names": "[QCD,Hbb,Hcc]",
    }
    batches = {}
    for convention in ("lorentznets", "weaver"):
        experiment = _experiment(tmp_path / convention, path, "jetclass", **overrides, **{"data.features": convention})
        experiment.datasets = experiment.init_data()
        batches[convention] = next(iter(experiment.loader("train", batch_size=40)))["scalars"]
    raw, clipped = batches["lorentznets"], batches["weaver"]
    assert ((raw[..., [7, 9]] < 0) | (raw[..., [7, 9]] > 1)).any()  # the check can fail
    assert torch.equal(clipped[..., [7, 9]], raw[..., [7, 9]].clamp(0, 1))
    assert torch.equal(clipped[..., [0, 1, 2, 3, 4, 5, 6, 8]], raw[..., [0, 1, 2, 3, 4, 5, 6, 8]])


STREAMED = {"data.streaming": True, "data.stream.window_jets": 16, "data.stream.block_jets": 4}


@pytest.fixture
def forwards(monkeypatch):
    """``(momenta, jets)`` of every call of the Transformer tagger's forward."""
    calls = []
    forward = TransformerTaggingWrapper.forward

    def record(self, momenta, mask, scalars=None, jets=None):
        calls.append((momenta, jets))
        return forward(self, momenta, mask, scalars, jets)

    monkeypatch.setattr(TransformerTaggingWrapper, "forward", record)
    return calls


def test_weaver_runs_give_the_tagger_each_jet_of_all_its_constituents(tmp_path, forwards):
    """Training in memory and streamed, and predictions: a ``weaver`` tagger gets the batches' ``jets``,
    the sum of every constituent of the jet (8 to 24 here, 6 kept); a ``lorentznets`` one none."""
    data = write_lgn_jets(tmp_path / "jets.h5", num_jets=80)
    every = load_jets(data, max_particles=30)
    assert (every.mask.sum(dim=1) > 6).all()

    def check(convention):
        assert forwards
        for momenta, jets in forwards:
            if convention == "lorentznets":
                assert jets is None
                continue
            matches = torch.isclose(jets[:, None], every.jets[None], rtol=1e-6, atol=1e-3).all(dim=-1)
            assert (matches.sum(dim=1) == 1).all()
            assert not torch.allclose(momenta.sum(dim=1), jets, rtol=1e-3)
        forwards.clear()

    for convention in ("weaver", "lorentznets"):
        for streaming in ({}, STREAMED):
            folder = tmp_path / f"{convention}{len(streaming)}"
            overrides = {"data.features": convention, "data.max_particles": 6, **streaming}
            _experiment(folder, data, **overrides).run()
            check(convention)
        predict = {"train": False, "warm_start_idx": 0, "predict.files": f"[{data}]"}
        _experiment(folder, tmp_path / "unread.h5", **overrides, **predict).run()
        check(convention)


def test_onnx_export_of_a_weaver_tagger_takes_the_jets(tmp_path):
    data = write_lgn_jets(tmp_path / "jets.h5", num_jets=60)
    weaver = {"data.features": "weaver", "data.max_particles": 6}
    _experiment(tmp_path, data, **weaver).run()
    experiment = _experiment(tmp_path, data, train=False, warm_start_idx=0, **weaver, **{"export.onnx": True})
    experiment.run()
    models = tmp_path / "runs" / "toptagging" / "r" / "models"
    description = json.loads((models / "model_run0.preprocessing.json").read_text())
    assert [(i["name"], i["shape"]) for i in description["inputs"]] == [
        ("momenta", ["batch", "particles", 4]),
        ("mask", ["batch", "particles"]),
        ("jets", ["batch", 4]),
    ]
    assert "all its constituents" in description["inputs"][2]["description"]
    jets = load_jets(data, max_particles=6)
    session = onnxruntime.InferenceSession(str(models / description["model_file"]))
    feeds = {"momenta": jets.momenta.numpy(), "mask": jets.mask.numpy(), "jets": jets.jets.numpy()}
    (logits,) = session.run(None, feeds)
    with torch.no_grad():
        expected = experiment.raw_model(jets.momenta, jets.mask, jets=jets.jets)
        kept = experiment.raw_model(jets.momenta, jets.mask, jets=jets.momenta.sum(dim=1))
    np.testing.assert_allclose(logits, expected.numpy(), rtol=PARITY_RTOL, atol=PARITY_ATOL)
    assert not np.allclose(logits, kept.numpy(), rtol=PARITY_RTOL, atol=PARITY_ATOL)  # the jets are used


def test_finetuning_keeps_the_saved_convention(tmp_path, caplog):
    data = write_lgn_jets(tmp_path / "jets.h5", num_jets=60)
    _experiment(tmp_path, data, **{"data.features": "weaver"}).run()
    run = tmp_path / "runs" / "toptagging" / "r"
    best = run / "checkpoints" / "best.pt"
    for source in (run, run / "checkpoints" / "last.pt", best):
        finetune = {"training.finetune.from": str(source)}
        with pytest.raises(
            ExperimentInputError, match=r"finetune\.from=.*other settings \(data\.features: 'weaver' -> 'lorentznets'"
        ):
            _experiment(tmp_path / "ft", data, **finetune).run()
    weaver = {"data.features": "weaver", "training.finetune.from": str(run)}
    with pytest.raises(ExperimentInputError, match=r"other settings \(model\.net\.num_heads: 2 -> 4\): fine-tuning"):
        _experiment(tmp_path / "ft", data, **weaver, **{"model.net.num_heads": 4}).run()
    tuned = _experiment(tmp_path / "ft", data, **weaver)
    tuned.run()
    assert tuned.raw_model.feature_convention == "weaver"
    # a best.pt written before checkpoints held their settings cannot be compared: a warning
    checkpoint = torch.load(best, weights_only=True)
    del checkpoint["settings"]
    torch.save(checkpoint, best)
    _experiment(tmp_path / "old", data, **{"training.finetune.from": str(best)}).run()
    assert "predates saved settings; model settings not compared" in caplog.text


def _described(tmp_path, path, config, **overrides):
    experiment = _experiment(tmp_path, path, config, **overrides)
    experiment.datasets = experiment.init_data()
    experiment.raw_model = experiment.init_model()
    return experiment.onnx_description()


def test_onnx_description_of_jetclass_files_read_with_format_auto(tmp_path):
    # the column order and the weaver clip of the impact-parameter errors, as with format=jetclass_root
    momenta, counts = random_jets(40, 12, seed=0)
    path, _ = write_jetclass(tmp_path / "j.root", momenta, counts, np.arange(40) % 3)
    settings = {"data.max_jets": "null", "data.use_scalars": True, "data.impact_parameters": True}
    settings |= {"data.class_names": "[QCD,Hbb,Hcc]", "data.features": "weaver", "data.format": "auto"}
    scalars = _described(tmp_path, path, "jetclass", **settings)["inputs"]["scalars"]["description"]
    assert "part_d0err clipped to [0, 1]" in scalars and scalars.startswith("per-constituent JetClass branches")


def test_onnx_description_of_energyflow_files_without_scalars_says_how_energies_are_made(tmp_path):
    particles = np.zeros((40, 8, 4))
    particles[:, :5, 0] = np.linspace(10.0, 50.0, 5)  # pt, y, phi, pid (photons)
    particles[:, :5, 1] = np.linspace(-1.0, 1.0, 5)
    particles[:, :5, 3] = 22
    path = write_energyflow(tmp_path / "qg.npz", particles, np.arange(40) % 2)
    settings = {"data.max_jets": "null", "data.use_scalars": False, "data.format": "auto"}
    described = _described(tmp_path, path, "qgtagging", **settings)
    assert "scalars" not in described["inputs"]
    assert "PDG mass" in described["preprocessing"]["energy"]
