"""Every use of a saved model (evaluation, export) is its own MLflow run, named after what it did and
the folder of its plots: two re-evaluations of model 0 were two runs named ``<run>_eval0``."""

from __future__ import annotations

from experiment_test_utils import compose_config, toy_overrides
from mlflow.tracking import MlflowClient

from experiments.common.mlflow_logger import default_tracking_uri
from experiments.registry import get_experiment


def test_each_use_of_a_saved_model_has_its_own_mlflow_run_name(tmp_path):
    train = toy_overrides(tmp_path, run_name="A", **{"training.iterations": 10})
    get_experiment("toy_experiment:ToyExperiment")(compose_config("default", train)).run()
    reload = [*train, "train=false", "warm_start_idx=0", "use_mlflow=true"]
    for overrides in (reload, reload, [*reload, "evaluate=false", "plot=false"]):
        get_experiment("toy_experiment:ToyExperiment")(compose_config("default", overrides)).run()
    client = MlflowClient(default_tracking_uri(tmp_path))
    runs = client.search_runs([client.get_experiment_by_name("toy").experiment_id], order_by=["start_time"])
    names = [run.info.run_name for run in runs]
    assert len(set(names)) == 3, names
    plots = sorted(path.name for path in (tmp_path / "runs" / "toy" / "A" / "plots").glob("model_run0_*"))
    assert len(plots) == 2
    # the evaluations carry the timestamp of their plots' folder
    assert names[:2] == [plot.replace("model_run0_", "A_eval0_") for plot in plots]
    assert names[2].startswith("A_export0_")
