"""End-to-end tagging runs on synthetic jets: training, metrics, plots, reload, bad input."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from experiment_test_utils import compose_config, run_cli
from tagging_test_utils import THREE_CLASS_NAMES, tagging_overrides, write_lgn_jets, write_three_class_jets

from experiments.base_experiment import ExperimentInputError
from experiments.registry import get_experiment


def _run(config: str, overrides: list[str]):
    cfg = compose_config(config, overrides)
    experiment = get_experiment(cfg.experiment)(cfg)
    return experiment, experiment.run()


def test_toptagging_trains_evaluates_plots_and_reloads(tmp_path, jets_file):
    experiment, metrics = _run("toptagging", tagging_overrides(tmp_path, jets_file, run_name="t"))
    assert set(metrics) == {"test.accuracy", "test.auc", "test.rej30", "test.rej50", "test.rej80"}
    # Three prongs against one are easy to tell apart: the tagger must have learned.
    assert metrics["test.auc"] > 0.75
    plots = tmp_path / "runs" / "toptagging" / "t" / "plots"
    figures = {f"{name}.{suffix}" for name in ("roc_test", "scores_test", "training") for suffix in ("pdf", "png")}
    assert {p.name for p in plots.iterdir()} == figures
    before = {p.name: p.read_bytes() for p in plots.iterdir()}
    assert len(experiment.datasets["test"]) == 100
    _, again = _run(
        "toptagging",
        tagging_overrides(tmp_path, jets_file, run_name="t", train=False, warm_start_idx=0),
    )
    assert again == metrics
    # The re-evaluation plots into its own folder and leaves the training run's figures alone.
    (evaluation,) = [p for p in plots.iterdir() if p.is_dir()]
    assert evaluation.name.startswith("model_run0_")
    assert {p.name for p in evaluation.iterdir()} == figures - {"training.pdf", "training.png"}
    assert {p.name: p.read_bytes() for p in plots.iterdir() if p.is_file()} == before


def test_multiclass_head_trains(tmp_path):
    _, metrics = _run(
        "jetclass",
        tagging_overrides(
            tmp_path,
            write_three_class_jets(tmp_path / "three.root"),
            run_name="m",
            **{
                "data.format": "auto",
                "data.max_jets": "null",
                "data.use_scalars": False,
                "data.class_names": THREE_CLASS_NAMES,
            },
        ),
    )
    assert {"test.accuracy", "test.auc_QCD", "test.auc_Hbb", "test.auc_Hcc", "test.auc_macro"} <= set(metrics)


def test_missing_file_without_generation_names_the_file(tmp_path):
    missing = tmp_path / "nothere.h5"
    with pytest.raises(ExperimentInputError, match="nothere.h5"):
        _run("toptagging", tagging_overrides(tmp_path, missing, run_name="x"))


def _corrupt(path, key, change):
    with h5py.File(path, "r+") as file:
        values = file[key][...]
        del file[key]
        file[key] = change(values)


@pytest.mark.parametrize(
    ("key", "change", "message"),
    [
        ("Pmu", lambda p: np.where(np.arange(len(p))[:, None, None] == 7, np.nan, p), "NaN"),
        ("Pmu", lambda p: p[:, :, :3], "shape"),
        ("Nobj", lambda n: np.where(np.arange(len(n)) == 3, 0, n), "empty"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, key, change, message):
    path = write_lgn_jets(tmp_path / "bad.h5", num_jets=40)
    if key == "Nobj":
        _corrupt(path, "label", lambda m: np.where(np.arange(len(m))[:, None] == 3, False, m))
    _corrupt(path, key, change)
    with pytest.raises(ExperimentInputError, match=rf"bad\.h5.*{message}"):
        _run("toptagging", tagging_overrides(tmp_path, path, run_name="bad"))


def test_bad_input_from_the_command_line_has_no_traceback(tmp_path):
    path = write_lgn_jets(tmp_path / "nan.h5", num_jets=40)
    _corrupt(path, "Pmu", lambda p: np.where(np.arange(len(p))[:, None, None] == 7, np.nan, p))
    result = run_cli(["-cn", "toptagging", *tagging_overrides(tmp_path, path, run_name="bad")])
    assert result.returncode == 2
    error = result.stdout.strip().splitlines()[-1]
    assert "nan.h5" in error and "Pmu" in error and "NaN" in error, error
    assert "Traceback" not in result.stderr


def test_wrong_key_names_file_and_key(tmp_path):
    path = write_lgn_jets(tmp_path / "nokey.h5", num_jets=40)
    with h5py.File(path, "r+") as file:
        file["signal"] = file["is_signal"][...]
        del file["is_signal"]
    with pytest.raises(ExperimentInputError, match=r"nokey\.h5.*is_signal"):
        _run("toptagging", tagging_overrides(tmp_path, path, run_name="k", **{"data.format": "lgn_h5"}))


def test_split_with_one_class_is_stopped_at_load(tmp_path):
    path = write_lgn_jets(tmp_path / "qcd_only.h5", num_jets=80)
    with h5py.File(path, "r+") as file:
        file["is_signal"][...] = 0
    with pytest.raises(ExperimentInputError, match=r"the train split holds only the class\(es\) \['QCD'\]"):
        _run("toptagging", tagging_overrides(tmp_path, path, run_name="one"))
    assert not (tmp_path / "runs" / "toptagging" / "one" / "checkpoints").exists()


def test_final_model_is_logged_to_mlflow_with_its_signature(tmp_path, jets_file):
    import mlflow
    import mlflow.models
    from mlflow.tracking import MlflowClient

    from experiments.common.mlflow_logger import default_tracking_uri

    overrides = tagging_overrides(
        tmp_path, jets_file, run_name="logged", use_mlflow=True, **{"mlflow.log_model": True, "training.iterations": 4}
    )
    _run("toptagging", overrides)
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toptagging").experiment_id])
    (output,) = run.outputs.model_outputs
    assert client.get_logged_model(output.model_id).name == "model"
    mlflow.set_tracking_uri(default_tracking_uri(tmp_path))
    info = mlflow.models.get_model_info(f"models:/{output.model_id}")
    assert [spec.name for spec in info.signature.inputs.inputs] == ["momenta", "mask"]


def test_a_weaver_convention_model_is_logged_with_its_jet_input(tmp_path, jets_file):
    import mlflow
    import mlflow.models
    from mlflow.tracking import MlflowClient

    from experiments.common.mlflow_logger import default_tracking_uri

    settings = {"mlflow.log_model": True, "training.iterations": 2, "data.features": "weaver", "model": "transformer"}
    _run("toptagging", tagging_overrides(tmp_path, jets_file, run_name="weaver", use_mlflow=True, **settings))
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toptagging").experiment_id])
    (output,) = run.outputs.model_outputs
    mlflow.set_tracking_uri(default_tracking_uri(tmp_path))
    info = mlflow.models.get_model_info(f"models:/{output.model_id}")
    assert [spec.name for spec in info.signature.inputs.inputs] == ["momenta", "mask", "jets"]
