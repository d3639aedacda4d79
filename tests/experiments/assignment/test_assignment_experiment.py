import json

import onnxruntime
import pytest
from experiment_test_utils import compose_config, run_cli
from mlflow.tracking import MlflowClient

from experiments.base_experiment import ExperimentInputError
from experiments.registry import get_experiment

PELICAN_TINY = {"model.net.hidden_channels": 8, "model.net.num_blocks": 1}


def overrides(base_dir, data_path, model="transformer", **extra):
    values = {
        "model": model,
        "data.path": str(data_path),
        "data.generate": "null",
        "base_dir": str(base_dir),
        "run_name": "test",
        "training.iterations": 6,
        "training.validate_every": 3,
        "training.batchsize": 16,
        "evaluation.batchsize": 64,
        "heads.features": 8,
        "heads.rank": 4,
        "progress": False,
        "use_mlflow": False,
        "num_threads": 1,
    }
    values.update(extra)
    return [f"{key}={value}" for key, value in values.items()]


def test_run_py_trains_evaluates_prints_purity_table_and_plots(tmp_path, spanet_file):
    result = run_cli(
        ["-cn", "ttbar_assignment", *overrides(tmp_path, spanet_file, **{"model.net.hidden_channels": 8})],
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "ttbar_assignment, transformer, test split" in result.stdout
    assert "all particles reconstructable" in result.stdout and "greedy event" in result.stdout
    run_dir = tmp_path / "runs" / "ttbar_assignment" / "test"
    metrics = json.loads(next((run_dir / "evaluation").glob("*.json")).read_text())
    metrics = metrics.get("metrics", metrics)
    for key in ("test.greedy.event_purity", "test.exact.event_purity_full_njets6", "test.exact.jet_efficiency"):
        assert 0.0 <= metrics[key] <= 1.0
    plots = {p.name for p in (run_dir / "plots").iterdir()}
    assert {"purity_test.pdf", "mass_t1_test.pdf", "mass_t1_W_test.pdf"} <= plots
    assert (run_dir / "models" / "model_run0.pt").is_file()


@pytest.mark.parametrize("model", ["pelican"])
def test_equivariant_backbone_through_the_experiment_class(tmp_path, spanet_file, model):
    cfg = compose_config(
        "ttbar_assignment",
        overrides(tmp_path, spanet_file, model, **{"model.net.hidden_channels": 8, "model.net.num_blocks": 1}),
    )
    metrics = get_experiment(cfg.experiment)(cfg).run()
    assert 0.0 <= metrics["test.exact.event_purity"] <= 1.0
    assert metrics["test.greedy.num_events"] > 0


def test_the_general_onnx_export_leaves_out_inputs_the_graph_does_not_use(tmp_path, spanet_file):
    # the default event file has no GLOBAL inputs: the exported graph takes no global_features
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, spanet_file, "pelican", **PELICAN_TINY))
    get_experiment(cfg.experiment)(cfg).run()
    reload = overrides(tmp_path, spanet_file, "pelican", train=False, warm_start_idx=0, **PELICAN_TINY)
    cfg = compose_config("ttbar_assignment", [*reload, "export.onnx=true", "plot=false"])
    get_experiment(cfg.experiment)(cfg).run()
    models = tmp_path / "runs" / "ttbar_assignment" / "test" / "models"
    record = json.loads((models / "model_run0.preprocessing.json").read_text())
    session = onnxruntime.InferenceSession(str(models / "model_run0.onnx"), providers=["CPUExecutionProvider"])
    assert [node.name for node in session.get_inputs()] == [entry["name"] for entry in record["inputs"]]
    assert record["unused_inputs"] == ["global_features"]
    # the same features in another order feed the backbone's scalar inputs differently: refused
    cfg = compose_config("ttbar_assignment", [*reload, "data.invariant_features=[btag,mass]"])
    with pytest.raises(
        ExperimentInputError, match=r"data\.invariant_features: \['mass', 'btag'\] -> \['btag', 'mass'\]"
    ):
        get_experiment(cfg.experiment)(cfg).run()


def test_missing_data_file_is_a_clear_error(tmp_path):
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, tmp_path / "missing.h5"))
    with pytest.raises(ExperimentInputError, match=r"missing\.h5 does not exist and data.generate is null"):
        get_experiment(cfg.experiment)(cfg).run()


def test_run_py_on_a_hand_built_semileptonic_file(tmp_path, semileptonic_file):
    """Jets and leptons as two inputs with sin_phi/cos_phi, MET, particles of 3 and 2 products
    (one from the lepton input), neutrino regressions: train, evaluate, plot, ONNX, MLflow."""
    extra = {"model.net.hidden_channels": 8, "use_mlflow": True, "data.invariant_features": "[mass,btag,etag]"}
    extra["data.event_file"] = str(semileptonic_file.with_suffix(".yaml"))
    result = run_cli(["-cn", "ttbar_assignment", *overrides(tmp_path, semileptonic_file, **extra)], timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "all particles reconstructable" in result.stdout and "by reconstructable particles" in result.stdout
    run_dir = tmp_path / "runs" / "ttbar_assignment" / "test"
    metrics = json.loads(next((run_dir / "evaluation").glob("*.json")).read_text())
    metrics = metrics.get("metrics", metrics)
    # 3 + 2 products: the multiplicity bins start at 5 vectors.
    for key in ("test.exact.event_purity_njets5", "test.greedy.particle_purity.lt", "test.exact.jet_efficiency"):
        assert 0.0 <= metrics[key] <= 1.0
    assert 0.0 <= metrics["test.exact.counts/ht_1/lt_1/event_purity"] <= 1.0
    assert metrics["test.regression.EVENT/neutrino_pz.num_events"] > 0
    plots = {p.name for p in (run_dir / "plots").iterdir()}
    assert {"purity_test.pdf", "mass_ht_test.pdf", "mass_ht_W_test.pdf", "mass_lt_test.pdf"} <= plots
    session = onnxruntime.InferenceSession(str(run_dir / "models" / "model_run0_assignment.onnx"))
    names = [o.name for o in session.get_outputs()]
    assert names[:3] == ["log_probs_ht", "log_probs_lt", "detection_logits"]
    assert "regression.EVENT/neutrino_px" in names
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'runs' / 'tracking' / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("ttbar_assignment").experiment_id])
    assert run.data.metrics["test.exact.jet_efficiency"] == pytest.approx(metrics["test.exact.jet_efficiency"])


@pytest.mark.slow  # 8 s (40 s under load): a training and the torch.export of the backbone and heads
def test_final_model_is_logged_to_mlflow_with_its_signature(tmp_path, spanet_file):
    from experiment_test_utils import logged_model_inputs

    settings = {"model.net.hidden_channels": 8, "use_mlflow": True, "mlflow.log_model": True, "plot": False}
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, spanet_file, **settings))
    get_experiment(cfg.experiment)(cfg).run()
    assert logged_model_inputs(tmp_path, "ttbar_assignment") == ["features", "momenta", "mask", "global_features"]


def test_lorentznet_backbone_trains_under_bf16_autocast(tmp_path, spanet_file):
    """``training.bf16=true`` (CPU autocast here): before 2026-12-07 LorentzNet failed on the dtypes."""
    small = {"model.net.hidden_channels": 8, "model.net.num_blocks": 1, "training.bf16": "true"}
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, spanet_file, "lorentznet", **small))
    metrics = get_experiment(cfg.experiment)(cfg).run()
    assert 0.0 <= metrics["test.exact.event_purity"] <= 1.0


def test_the_heads_onnx_export_without_plots_is_announced(tmp_path, spanet_file, caplog):
    cfg = compose_config("ttbar_assignment", [*overrides(tmp_path, spanet_file), "plot=false"])
    with caplog.at_level("WARNING", logger="lorentznets"):
        get_experiment(cfg.experiment).check_config(cfg)
    assert "evaluation.export_onnx=true but plot=False" in caplog.text
