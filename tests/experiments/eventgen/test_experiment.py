"""End to end: real Hydra config, real event file, real MLflow SQLite store."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config
from mlflow import MlflowClient

from experiments.base_experiment import ExperimentInputError
from experiments.eventgen.cuts import cut_violations
from experiments.registry import get_experiment

from .helpers import make_ttbar_events

SMALL_NETS = {
    "gatr": ["model.net.num_blocks=1", "model.net.hidden_mv_channels=4", "model.net.hidden_s_channels=8"],
    "mlp": ["model.net.hidden_channels=16", "model.net.num_layers=1"],
    "transformer": ["model.net.hidden_channels=16", "model.net.num_blocks=1", "model.net.num_heads=2"],
}


def _config(tmp_path, model, extra=()):
    overrides = [
        f"model={model}",
        f"data.path={tmp_path / 'data'}",
        f"base_dir={tmp_path}",
        "data.n_extra_jets=1",
        "data.generate=null",
        "progress=false",
        "training.iterations=4",
        "training.validate_every=2",
        "training.batchsize=32",
        "mlflow.log_checkpoint=false",
        "sampling.n_samples=null",
        "sampling.batchsize=50",
        "sampling.solver.steps=2",
        "likelihood.n_events=8",
        "likelihood.solver.steps=2",
        "classifier.max_iter=10",
        "plotting.bins=10",
        *SMALL_NETS[model],
        *extra,
    ]
    return compose_config("ttbar", overrides)


def trained_mlp(tmp_path: Path, num_events: int):
    """The experiment after a brief training of the MLP velocity on ``num_events`` toy events
    with one extra jet (split 0.8 / 0.1 / 0.1), without MLflow, plots or evaluation."""
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", make_ttbar_events(num_events, n_extra_jets=1))
    cfg = _config(tmp_path, "mlp", ["use_mlflow=false", "plot=false", "evaluate=false"])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    return experiment


class _Wrapper(torch.nn.Module):
    """Calls the module it wraps, with its own ``training`` flag (as DistributedDataParallel)."""

    def __init__(self, module: torch.nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)


@pytest.mark.parametrize("model", ["mlp", pytest.param("transformer", marks=pytest.mark.slow)])
def test_train_sample_evaluate_plot(tmp_path, model):
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", make_ttbar_events(1200, n_extra_jets=1))
    cfg = _config(tmp_path, model)
    experiment = get_experiment(cfg.experiment)(cfg)
    metrics = experiment.run()

    assert 0.0 <= metrics["test.classifier_auc"] <= 1.0
    # Hanley-McNeil on 120 held-out events: at most about 0.05 (at AUC 0.5), less towards 1.
    assert 0.0 <= metrics["test.classifier_auc_std"] < 0.06
    assert metrics["test.sampling_events_per_second"] > 0
    assert metrics["test.cuts.frac_nonfinite"] == 0.0
    # The log(pt - pt_min) coordinate keeps every sampled jet above the pt cut.
    assert metrics["test.cuts.frac_pt"] == 0.0
    # the test events' own fractions, the baseline of a perfect generator
    truth = cut_violations(experiment.events["test"], cfg.cuts.pt_min, cfg.cuts.eta_max, cfg.cuts.delta_r_min)
    assert {f"test.cuts_truth.{k}": v for k, v in truth.items()}.items() <= metrics.items()
    assert np.isfinite(metrics["test.nll"]) and np.isfinite(metrics["test.nll_fourmomenta"])
    assert np.isfinite(metrics["test.loss"])

    run_dir = next((tmp_path / "runs" / "ttbar").iterdir())
    samples = np.load(run_dir / "samples" / "ttbar_1j.npy")
    assert samples.shape == (120, 28) and np.isfinite(samples).all()
    for name in ("jets", "resonances", "delta_r"):
        assert (run_dir / "plots" / f"{name}_test.pdf").stat().st_size > 1000

    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'runs' / 'tracking' / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("ttbar").experiment_id])
    assert run.data.metrics["test.classifier_auc"] == pytest.approx(metrics["test.classifier_auc"])
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id, "plots")}
    assert {"plots/jets_test.pdf", "plots/resonances_test.pdf", "plots/delta_r_test.pdf"} <= artifacts


@pytest.mark.slow  # about 5 s idle, 13 s on a loaded machine: a whole run
def test_too_few_test_events_leave_the_classifier_auc_out_and_say_why(tmp_path):
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", make_ttbar_events(300, n_extra_jets=1))
    cfg = _config(tmp_path, "mlp", ["plot=false", "training.iterations=2"])
    metrics = get_experiment(cfg.experiment)(cfg).run()
    assert "test.classifier_auc" not in metrics and "test.nll" in metrics
    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'runs' / 'tracking' / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("ttbar").experiment_id])
    assert run.data.tags["test.classifier_auc"].startswith("not computed: classifier two-sample test needs >= 100")


def test_missing_file_gives_a_clear_error(tmp_path):
    cfg = _config(tmp_path, "mlp", ["use_mlflow=false"])
    with pytest.raises(ExperimentInputError, match=r"ttbar_1j.npy does not exist and data.generate is null"):
        get_experiment(cfg.experiment)(cfg).run()


def test_a_reload_keeps_the_flow_coordinates_the_model_was_trained_in(tmp_path):
    (tmp_path / "data").mkdir()
    events = make_ttbar_events(300, n_extra_jets=1)
    np.save(tmp_path / "data" / "ttbar_1j.npy", events)
    cfg = _config(tmp_path, "mlp", ["use_mlflow=false", "plot=false", "evaluate=false", "run_name=c"])
    trained = get_experiment(cfg.experiment)(cfg)
    trained.run()
    (tmp_path / "other").mkdir()
    np.save(tmp_path / "other" / "ttbar_1j.npy", 2 * events)  # other data: every momentum doubled
    reload = ["use_mlflow=false", "plot=false", "evaluate=false", "run_name=c", "train=false", "warm_start_idx=0"]
    cfg = _config(tmp_path, "mlp", [*reload, f"data.path={tmp_path / 'other'}"])
    reloaded = get_experiment(cfg.experiment)(cfg)
    reloaded.run()
    for key, value in trained.coordinates.state_dict().items():
        torch.testing.assert_close(reloaded.coordinates.state_dict()[key], value)
    # evaluation draws fixed noise when the unwrapped model is in eval mode, also when the model
    # called is a wrapper whose own flag stays True (DDP: test.loss changed on every evaluation)
    batch = reloaded.datasets["test"][:16]
    reloaded.model = _Wrapper(reloaded.raw_model.eval())
    assert reloaded.model.training
    assert reloaded.batch_loss(batch)[0] == reloaded.batch_loss(batch)[0]
    # the coordinates' cut and mass regulator are not saved with them: another value, or another
    # jet count (a size-mismatch traceback before), is refused in one line before any data are read
    for change, message in (
        ("flow.pt_min=20", "flow.pt_min: 25.0 -> 20"),
        ("flow.mass_eps=1.0", "flow.mass_eps: 0.01 -> 1.0"),
        ("data.n_extra_jets=0", "data.n_extra_jets: 1 -> 0"),
    ):
        cfg = _config(tmp_path, "mlp", [*reload, change])
        with pytest.raises(ExperimentInputError, match=rf"trained with other settings \({message}\)") as error:
            get_experiment(cfg.experiment)(cfg).run()
        assert "\n" not in str(error.value)


@pytest.mark.slow  # 20 s: a training and the export of L-GATr
def test_the_velocity_network_exports_to_onnx_in_flow_coordinates(tmp_path):
    # L-GATr maps the point back to four-momenta (sinh, cosh: ONNX forms of ours)
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", make_ttbar_events(300, n_extra_jets=1))
    cfg = _config(tmp_path, "gatr", ["use_mlflow=false", "plot=false", "evaluate=false", "export.onnx=true"])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    models = tmp_path / "runs" / "ttbar" / cfg.run_name / "models"
    record = json.loads((models / "model_run0.preprocessing.json").read_text())
    assert [entry["name"] for entry in record["inputs"]] == ["t", "x"]
    assert record["outputs"][0]["name"] == "velocity" and record["units"].startswith("flow coordinates")
    assert record["coordinates"]["jets"] == ["b1", "q1", "q2", "b2", "q3", "q4", "j1"]
    assert record["coordinates"]["mean"] == experiment.coordinates.mean.tolist()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ([], r"jets have pt below cuts\.pt_min = 25\.0 GeV, the first jet 2 of event 123 "),
        # the cut is met, flow.pt_min set above it is not: log(pt - flow.pt_min) is undefined
        (["cuts.pt_min=0", "flow.pt_min=30"], r"the first jet \d of event \d+ .*\(flow\.pt_min\)"),
    ],
)
def test_a_jet_below_the_pt_cut_names_the_file_event_and_key(tmp_path, overrides, message):
    events = make_ttbar_events(300, n_extra_jets=1).reshape(300, 7, 4)
    events[123, 2, 1:3] *= 0.01  # pt far below the 25 GeV of cuts.pt_min
    events[123, 2, 0] = np.sqrt((events[123, 2, 1:] ** 2).sum() + 25.0)
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", events.reshape(300, 28))
    cfg = _config(tmp_path, "mlp", ["use_mlflow=false", *overrides])
    with pytest.raises(ExperimentInputError, match=rf"ttbar_1j\.npy: .*{message}"):
        get_experiment(cfg.experiment)(cfg).run()


def test_events_cut_below_cuts_pt_min_are_refused_naming_cuts_pt_min(tmp_path):
    """Events cut at 22.5 GeV, like the Heidelberg files (22 GeV): the message named flow.pt_min,
    which follows cuts.pt_min; lowering it alone left cuts.pt_min=25, and 18% of the true events
    counted as cut violations. Now both are refused naming cuts.pt_min and the files' cuts, and
    the lower cuts.pt_min reads them."""
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", 0.9 * make_ttbar_events(300, n_extra_jets=1))
    message = r"ttbar_1j\.npy: \d+ jets have pt below cuts\.pt_min = 25\.0 GeV.*: set cuts\.pt_min to the data's pt"
    for overrides in ([], ["flow.pt_min=20"]):
        cfg = _config(tmp_path, "mlp", ["use_mlflow=false", *overrides])
        with pytest.raises(ExperimentInputError, match=message) as error:
            get_experiment(cfg.experiment)(cfg).run()
        assert str(error.value).endswith("the Heidelberg ttbar_<n>j.npy files need cuts.pt_min=22 cuts.delta_r_min=0.5")
    cfg = _config(tmp_path, "mlp", ["use_mlflow=false", "cuts.pt_min=22", "evaluate=false", "plot=false"])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    assert experiment.coordinates.pt_min == 22.0


@pytest.mark.slow  # about 10 s: a training and the torch.export
def test_final_model_is_logged_to_mlflow_with_its_signature(tmp_path):
    from experiment_test_utils import logged_model_inputs

    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", make_ttbar_events(200, n_extra_jets=1))
    cfg = _config(tmp_path, "mlp", ["mlflow.log_model=true", "evaluate=false", "plot=false"])
    get_experiment(cfg.experiment)(cfg).run()
    assert logged_model_inputs(tmp_path, "ttbar") == ["t", "x"]


def test_events_generated_with_other_cuts_are_refused(tmp_path):
    """The samples' cut violations are counted against cuts.*: events made with other jet cuts
    would give wrong counts (here the truth itself breaks |eta| < 2.0)."""
    import h5py

    from lorentznets.data.generate.cli import build_dataset_parser
    from lorentznets.data.generate.h5_writer import COMPLETE_ATTR, REQUESTED_ATTR, ROWS_ATTR, SETTINGS_ATTR

    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", make_ttbar_events(300, n_extra_jets=1))
    parser, module = build_dataset_parser("ttbar")
    settings = module.settings_from_args(parser.parse_args(["--n", "400"]))  # jet pT > 25, |eta| < 2.5
    with h5py.File(tmp_path / "data" / "ttbar_allhad.h5", "w") as file:
        file.attrs[SETTINGS_ATTR] = json.dumps(settings)
        file.attrs[ROWS_ATTR] = file.attrs[REQUESTED_ATTR] = 400
        file.attrs[COMPLETE_ATTR] = True
    cfg = _config(tmp_path, "mlp", ["use_mlflow=false", "cuts.eta_max=2.0"])
    message = r"ttbar_allhad\.h5: cuts\.eta_max=2\.0 but the events have --eta-max 2\.5: the samples' cut violations"
    with pytest.raises(ExperimentInputError, match=message):
        get_experiment(cfg.experiment)(cfg).run()
    cfg = _config(tmp_path, "mlp", ["use_mlflow=false", "cuts.delta_r_min=0.6"])
    with pytest.raises(ExperimentInputError, match=r"cuts\.delta_r_min=0\.6 but the events have --radius 0\.4"):
        get_experiment(cfg.experiment)(cfg).run()
