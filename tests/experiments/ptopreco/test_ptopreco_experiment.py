"""End-to-end top-momentum regression on synthetic top jets: real HDF5, Hydra config, MLflow."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config

from experiments.ptopreco.dataset import TopMomentumDataset
from experiments.ptopreco.metrics import resolution_metrics
from experiments.registry import get_experiment
from lorentznets.data.readers import load_jets
from lorentznets.testing.synthetic_files import write_top_jets


def overrides(base_dir: Path, data: Path, **extra) -> list[str]:
    values = {
        "data.path": str(data),
        "data.generate": "null",
        "data.max_particles": 30,
        "data.split_fractions": "[0.5,0.25,0.25]",
        "base_dir": str(base_dir),
        "model.net.hidden_channels": 8,
        "model.net.message_channels": 8,
        "model.net.num_blocks": 2,
        "model.net.encoder_channels": 4,
        "model.net.readout_channels": 8,
        "model.net.beams": False,
        "training.iterations": 20,
        "training.validate_every": 10,
        "training.batchsize": 16,
        "training.optimizer.lr": 3e-3,
        "progress": False,
        "use_mlflow": True,
        "num_threads": 1,
        "run_name": "r",
    }
    values.update(extra)
    return [f"{k}={v}" for k, v in values.items()]


def test_regression_trains_beats_nothing_and_logs(tmp_path):
    data = write_top_jets(tmp_path / "tops.h5")
    cfg = compose_config("ptopreco", overrides(tmp_path, data))
    experiment = get_experiment(cfg.experiment)(cfg)
    metrics = experiment.run()
    expected = {"pt_resolution", "pt_bias", "mass_resolution", "mass_bias", "angle_median", "angle_68"}
    # the validation split is evaluated too (evaluation.splits), for sweeps on val.mass_resolution
    assert set(metrics) == {f"{s}.{p}{k}" for s in ("val", "test") for p in ("", "baseline_") for k in expected}
    assert 0 < len(experiment.datasets["test"]) < 60  # only the top jets of 60 test jets
    # the constituent sum underestimates pT by 7.5 % on average; training removes most of that bias
    assert metrics["test.baseline_pt_bias"] < -0.04
    assert abs(metrics["test.pt_bias"]) < abs(metrics["test.baseline_pt_bias"])
    plots = tmp_path / "runs" / "ptopreco" / "r" / "plots"
    assert (plots / "residuals_test.pdf").is_file() and (plots / "residuals_val.pdf").is_file()
    assert (tmp_path / "runs" / "tracking" / "mlflow.db").is_file()


def test_jets_without_truth_are_rejected(tmp_path):
    data = write_top_jets(tmp_path / "tops.h5")
    with h5py.File(data, "a") as file:
        del file["truth_Pmu"]
    with pytest.raises(ValueError, match="no truth top momenta"):
        TopMomentumDataset(load_jets(data, max_particles=30))


def test_jets_without_their_momenta_are_rejected(tmp_path):
    jets = load_jets(write_top_jets(tmp_path / "tops.h5"), max_particles=30)
    with pytest.raises(ValueError, match=r"tops\.h5.*: no jet momenta \(JetData\.jets\); ptopreco compares"):
        TopMomentumDataset(dataclasses.replace(jets, jets=None))


def test_split_problems_name_the_split(tmp_path):
    data = write_top_jets(tmp_path / "tops.h5", num_jets=40)
    jets = load_jets(data, max_particles=30)
    with pytest.raises(ValueError, match=r"the val split of .*tops\.h5.*: no top .* adjust data\.split_fractions"):
        TopMomentumDataset(jets.subset(torch.nonzero(jets.labels == 0).flatten()), "val")
    with h5py.File(data, "a") as file:
        truth = file["truth_Pmu"][...]
        truth[np.flatnonzero(file["is_signal"][...])[3], 0] = np.nan
        file["truth_Pmu"][...] = truth
    with pytest.raises(ValueError, match=r"the train split of .*: 1 top jets have a non-finite .* first \[nan, "):
        TopMomentumDataset(load_jets(data, max_particles=30), "train")


def test_resolution_metrics_on_known_residuals():
    truth = np.array([[500.0, 300.0, 0.0, 0.0]] * 4)
    predicted = truth.copy()
    predicted[:, 1] *= np.array([0.9, 1.0, 1.0, 1.1])
    metrics = resolution_metrics(predicted, truth)
    assert metrics["pt_bias"] == pytest.approx(0.0)
    assert metrics["pt_resolution"] > 0.05
    assert metrics["angle_median"] == pytest.approx(0.0)
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        resolution_metrics(predicted[:, :3], truth[:, :3])


@pytest.mark.slow  # 9-14 s: a training and the torch.export
def test_final_model_is_logged_to_mlflow_with_its_signature(tmp_path):
    from experiment_test_utils import logged_model_inputs

    data = write_top_jets(tmp_path / "tops.h5", num_jets=80)
    settings = {"mlflow.log_model": True, "training.iterations": 4, "training.validate_every": 4, "plot": False}
    get_experiment("ptopreco")(compose_config("ptopreco", overrides(tmp_path, data, **settings))).run()
    assert logged_model_inputs(tmp_path, "ptopreco") == ["momenta", "mask"]


def test_baseline_is_the_full_jet_momentum_whatever_the_net_sees(tmp_path):
    # Jets of 6 to 30 constituents: with 8 slots the net sees only the hardest 8 of most jets,
    # while the baseline is each jet's momentum from all its constituents (as with 30 slots).
    data = write_top_jets(tmp_path / "tops.h5")
    fast = {"training.iterations": 2, "training.validate_every": 2, "plot": False, "use_mlflow": False}
    full = get_experiment("ptopreco")(compose_config("ptopreco", overrides(tmp_path, data, **fast))).run()
    truncated = compose_config("ptopreco", overrides(tmp_path, data, **fast, run_name="t", **{"data.max_particles": 8}))
    experiment = get_experiment("ptopreco")(truncated)
    metrics = experiment.run()
    assert experiment.datasets["test"].mask.shape[1] == 8
    for name in ("pt_bias", "pt_resolution", "mass_bias", "mass_resolution", "angle_median", "angle_68"):
        assert metrics[f"test.baseline_{name}"] == pytest.approx(full[f"test.baseline_{name}"], rel=1e-6, abs=1e-9)
    # the 8 hardest constituents alone miss far more of the top momentum than the whole jet
    dataset = experiment.datasets["test"]
    hardest = resolution_metrics(dataset.momenta.double().sum(dim=1).numpy(), dataset.truth.double().numpy())
    assert hardest["mass_bias"] < metrics["test.baseline_mass_bias"] - 0.1
