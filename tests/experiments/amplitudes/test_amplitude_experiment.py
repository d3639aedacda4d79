"""End-to-end amplitude runs through real Hydra configs, generated data and a real MLflow database."""

import re
import shlex
from pathlib import Path

import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config
from mlflow.tracking import MlflowClient

from experiments.base_experiment import ExperimentInputError
from experiments.registry import get_experiment
from lorentznets.lorentz import random_lorentz_transform

REPO = Path(__file__).resolve().parents[3]


def _overrides(tmp_path: Path, **extra) -> list[str]:
    values = {
        "model": "lorentznet",
        "+model.name": "lorentznet",
        "+model.net": "{hidden_channels: 8, num_blocks: 1}",
        "base_dir": str(tmp_path),
        "run_name": "r",
        "data.dir": str(tmp_path / "data"),
        "data.generate.n": 200,
        "training.iterations": 20,
        "training.validate_every": 10,
        "training.batchsize": 32,
        "evaluation.batchsize": 64,
        "progress": False,
        "num_threads": 1,
    }
    values.update(extra)
    return [f"{k}={v}" for k, v in values.items() if v is not None]


def _run(overrides: list[str]):
    cfg = compose_config("amplitudes", overrides)
    experiment = get_experiment(cfg.experiment)(cfg)
    return experiment, experiment.run()


@pytest.fixture(autouse=True)
def _clean_mlflow_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


def _model_overrides(tmp_path, model: str, net: str, **extra) -> list[str]:
    # The model config files belong to other helpers; build the model group inline when absent.
    if (REPO / "config" / "model" / f"{model}.yaml").is_file():
        return _overrides(
            tmp_path, model=model, **{"+model.name": None, "+model.net": None}, **{"model.net": net}, **extra
        )
    return _overrides(tmp_path, model=None, **{"+model.name": model, "+model.net": net}, **extra)


def test_lorentznet_run_generates_data_trains_and_is_invariant(tmp_path):
    experiment, metrics = _run(_model_overrides(tmp_path, "lorentznet", "{hidden_channels: 8, num_blocks: 1}"))
    for split in ("train", "val", "test"):
        assert {f"{split}.mse", f"{split}.zg.mse", f"{split}.zgg.frac_rel_err_below_1pct"} <= set(metrics)
    assert (tmp_path / "data" / "zg.npy").is_file() and np.load(tmp_path / "data" / "zgg.npy").shape == (200, 21)
    plots = {p.name for p in (tmp_path / "runs" / "amplitudes" / "r" / "plots").iterdir()}
    assert {"amplitude_zg.pdf", "relative_error_zgg.pdf", "error_vs_pt_zg.pdf", "training.pdf"} <= plots

    client = MlflowClient(tracking_uri=f"sqlite:///{tmp_path / 'runs' / 'tracking' / 'mlflow.db'}")
    (run,) = client.search_runs([client.get_experiment_by_name("amplitudes").experiment_id])
    assert run.data.metrics["test.zgg.mse"] == pytest.approx(metrics["test.zgg.mse"])

    # The trained model, in float64, predicts the same for all momenta boosted by one transformation.
    model = experiment.raw_model.double().eval()
    data = experiment.datasets["test"]
    momenta = data.momenta.double()
    tokens = data.tokens.double()
    transform = random_lorentz_transform(max_rapidity=6.0, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        reference = model(momenta, data.mask, tokens)
        boosted = model(momenta @ transform.T, data.mask, tokens)
    assert torch.max(torch.abs(boosted - reference) / reference.abs().clamp(min=1e-3)) < 1e-5


@pytest.mark.parametrize(
    ("model", "net"),
    [("lorentznet", "{hidden_channels: 8, num_blocks: 1}"), ("lloca_transformer", "{num_blocks: 1, num_heads: 2}")],
)
def test_trains_under_bf16_autocast(tmp_path, model, net):
    """``training.bf16=true`` (CPU autocast here): before 2026-12-07 LorentzNet failed on the
    dtypes; LLoCa's frames and local features stay float32 inside autocast."""
    extra = {"training.bf16": "true", "training.iterations": 4, "use_mlflow": False}
    _, metrics = _run(_model_overrides(tmp_path, model, net, **extra))
    assert np.isfinite(metrics["test.mse"])


def test_missing_file_without_generation_names_file_and_command(tmp_path):
    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}")
    overrides += ["data.generate=null", "use_mlflow=false"]
    with pytest.raises(
        ExperimentInputError,
        match=r"zg.npy does not exist and data.generate is null .*create it with: python -m lorentznets",
    ):
        _run(overrides)


def test_bad_file_and_unknown_process_give_clear_errors(tmp_path):
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "zg.npy", np.ones((10, 13)))
    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}") + [
        "use_mlflow=false",
        "data.processes=[zg]",
    ]
    with pytest.raises(ExperimentInputError, match=r"zg.npy: expected shape \(N, 17\)"):
        _run(overrides)
    overrides[-1] = "data.processes=[foo]"
    with pytest.raises(ExperimentInputError, match="data.particles"):
        _run(overrides)
    with pytest.raises(ExperimentInputError, match=r"data\.particles\.foo=\['q', 'qbar'\]: a process lists its two"):
        _run([*overrides, "+data.particles.foo=[q,qbar]"])


def test_constant_amplitudes_are_stopped_at_load(tmp_path):
    from lorentznets.data.amplitudes import PROCESSES
    from lorentznets.data.amplitudes.events import generate_events

    (tmp_path / "data").mkdir()
    data = generate_events(PROCESSES["zg"], 60, np.random.default_rng(0))
    data[:, -1] = 2.5
    np.save(tmp_path / "data" / "zg.npy", data)
    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}")
    overrides += ["data.processes=[zg]", "use_mlflow=false"]
    with pytest.raises(ExperimentInputError, match=r"zg.npy: every training amplitude of zg is the same \(2.5\)"):
        _run(overrides)


def test_a_reload_standardises_with_the_models_training_statistics(tmp_path):
    from lorentznets.data.amplitudes import PROCESSES
    from lorentznets.data.amplitudes.events import generate_events

    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "zg.npy", generate_events(PROCESSES["zg"], 200, np.random.default_rng(0)))
    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}")
    overrides += ["data.processes=[zg]", "use_mlflow=false", "plot=false"]
    trained, metrics = _run(overrides)
    saved = torch.load(tmp_path / "runs" / "amplitudes" / "r" / "models" / "model_run0.pt", weights_only=True)
    assert saved["standardisation"] == {"log_mean": trained.log_mean, "log_std": trained.log_std}
    _, again = _run([*overrides, "train=false", "warm_start_idx=0"])
    assert again["test.zg.mse"] == pytest.approx(metrics["test.zg.mse"])
    # The same events with amplitudes 100 times larger: the model is off by that factor.
    scaled = np.load(tmp_path / "data" / "zg.npy")
    scaled[:, -1] *= 100
    (tmp_path / "scaled").mkdir()
    np.save(tmp_path / "scaled" / "zg.npy", scaled)
    reloaded, off = _run([*overrides, "train=false", "warm_start_idx=0", f"data.dir={tmp_path / 'scaled'}"])
    assert reloaded.log_mean == trained.log_mean
    assert off["test.zg.rel_err_q50"] > 0.95  # |A - 100 A| / 100 A = 0.99; it was the first run's


@pytest.mark.slow  # 10 s: data generation, training and the torch.export
def test_final_model_is_logged_to_mlflow_with_its_signature(tmp_path):
    from experiment_test_utils import logged_model_inputs

    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}")
    _run(overrides + ["mlflow.log_model=true", "training.iterations=4", "training.validate_every=4"])
    assert logged_model_inputs(tmp_path, "amplitudes") == ["momenta", "mask", "tokens"]


def test_unknown_process_error_suggests_an_override_hydra_accepts(tmp_path):
    """The message printed a literal ``data.particles.{name}``, and without ``+`` Hydra refuses
    the key (it is not in the empty default mapping)."""
    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}")
    overrides += ["use_mlflow=false", "data.processes=[foo]"]
    with pytest.raises(ExperimentInputError, match="data.particles") as error:
        _run(overrides)
    (suggested,) = re.findall(r"e\.g\. (\S+)\)", str(error.value))
    assert suggested == "+data.particles.foo=[q,qbar,Z,g]"
    cfg = compose_config("amplitudes", [*overrides, suggested])
    assert list(cfg.data.particles.foo) == ["q", "qbar", "Z", "g"]


def test_the_printed_generator_command_makes_a_file_the_next_run_accepts(tmp_path):
    """The command printed with data.generate=null left out data.phase_space: run as printed, it
    wrote a file with pt_min 20 that the run then refused for its pt_min 30. Its event count was a
    placeholder ``<events>``; now it is the count the run reads (data.max_events)."""
    from lorentznets.data.generate.cli import build_dataset_parser

    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}")
    overrides += ["data.generate=null", "use_mlflow=false", "plot=false", "data.processes=[zg]"]
    overrides += ["data.phase_space.pt_min=30", "data.phase_space.sqrt_s=500", "data.phase_space.delta_r_min=0.5"]
    overrides += ["data.max_events=60"]
    with pytest.raises(ExperimentInputError, match="create it with: ") as error:
        _run(overrides)
    command = str(error.value).split("create it with: ")[1]
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "lorentznets.data.generate", "amplitudes"]
    parser, generator = build_dataset_parser("amplitudes")
    args = parser.parse_args(words[4:])
    assert (args.process, args.out, args.n) == (["zg"], str(tmp_path / "data"), 60)
    assert (args.sqrt_s, args.pt_min, args.delta_r_min, args.max_boost_rapidity) == (500.0, 30.0, 0.5, 2.0)
    generator.run(args)
    _, metrics = _run(overrides)
    assert np.isfinite(metrics["test.zg.mse"])


@pytest.mark.parametrize(
    ("max_events", "train_size", "fractions", "expected"),
    [
        (60, None, [0.6, 0.2, 0.2], 60),
        (60, 20, [0.6, 0.2, 0.2], 60),  # the run reads 60 events whatever else it asks
        (None, 50, [0.6, 0.2, 0.2], 83),  # round(0.6 * 83) = 50, round(0.6 * 82) = 49
        (None, 4000, [0.6, 0.2, 0.2], 6666),  # round(3999.6)
        (None, 7, [0.5, 0.25, 0.25], 14),  # round(0.5 * 13) = 6 (half to even)
        (None, None, [0.6, 0.2, 0.2], 100000),  # every event is used: the generator's default
    ],
)
def test_the_printed_event_count_is_what_the_splits_ask_for(max_events, train_size, fractions, expected):
    from experiments.amplitudes.generated_files import events_needed
    from experiments.common.splits import split_bounds

    events = events_needed(max_events, train_size, fractions)
    assert events == expected
    if max_events is None and train_size is not None:  # the fewest events with that training split
        assert split_bounds(events, fractions)[1] >= train_size > split_bounds(events - 1, fractions)[1]


def test_the_printed_command_asks_for_the_training_events(tmp_path):
    overrides = _model_overrides(tmp_path, "mlp", "{hidden_channels: 8, num_layers: 1}")
    overrides += ["data.generate=null", "use_mlflow=false", "data.processes=[zg]", "data.train_size=4000"]
    with pytest.raises(ExperimentInputError, match="create it with: ") as error:
        _run(overrides)
    assert " --n 6666 " in str(error.value)
