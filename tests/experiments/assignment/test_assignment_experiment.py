import json

import pytest
from experiment_test_utils import compose_config, run_cli

from experiments.base_experiment import ExperimentInputError
from experiments.registry import get_experiment


def overrides(base_dir, data_path, model="transformer", **extra):
    values = {
        "model": model,
        "data.path": str(data_path),
        "data.generate.dataset": "null",
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


def test_missing_data_file_is_a_clear_error(tmp_path):
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, tmp_path / "missing.h5"))
    with pytest.raises(ExperimentInputError, match=r"assignment data file not found: .*missing\.h5"):
        get_experiment(cfg.experiment)(cfg).run()
