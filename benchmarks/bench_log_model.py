"""Time ``mlflow.log_model`` (torch.export, signature, MLflow's model files) for the quick configs' models.

Each case composes a quick config (``config/<name>.yaml``, its model at the quick size), trains it
for ``--steps`` steps at the quick batch size on a small synthetic data file
(:mod:`benchmarks.synthetic_data`: the export cost depends on the net, not on the data) and then
times the export of the experiment's own ``model_input_example`` into a fresh SQLite MLflow store,
the step ``mlflow.log_model=true`` adds to a run. Next to it: the quick run's training time, seconds per
step (first step and one validation included) times the quick config's steps; data generation
and evaluation come on top. Cases are interleaved; the minimum of ``--repeats`` is reported with
the threads and the machine load.

Usage: ``python benchmarks/bench_log_model.py [--threads 1] [--repeats 2] [--steps 20] [--cases toptagging:gatr ...]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from hydra import compose, initialize_config_dir
from omegaconf import DictConfig

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from benchmarks.synthetic_data import data_overrides  # noqa: E402
from experiments.common.mlflow_logger import default_tracking_uri  # noqa: E402
from experiments.common.mlflow_model import log_pytorch_model  # noqa: E402
from experiments.registry import get_experiment  # noqa: E402

CASES = (
    "toptagging:transformer",
    "toptagging:gatr",
    "toptagging:pelican",
    "toptagging:lorentznet",
    "amplitudes:gatr",
    "ttbar:transformer",
    "ttbar_assignment:transformer",
    "ptopreco:pelican",
)


def compose_config(config: str, overrides: list[str]) -> DictConfig:
    """``config/<config>.yaml`` with ``overrides``, composed as ``run.py`` does."""
    with initialize_config_dir(str(REPO / "config"), version_base=None):
        return compose(config, overrides=overrides)


def export_and_step_seconds(case: str, steps: int) -> tuple[float, float, int]:
    """Seconds to log the model of ``case`` (``<config>:<model>``) after a short training, seconds
    per training step of that training (at the quick config's batch size, first step and one
    validation included) and the quick config's number of steps."""
    config, model = case.split(":")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        quick_steps = compose_config(config, [f"model={model}"]).training.iterations
        overrides = [
            f"model={model}",
            f"base_dir={folder}",
            f"training.iterations={steps}",
            f"training.validate_every={steps}",
            "evaluate=false",
            "plot=false",
            "use_mlflow=false",
            "progress=false",
            f"num_threads={torch.get_num_threads()}",
            *data_overrides(config, folder),
        ]
        cfg = compose_config(config, overrides)
        experiment = get_experiment(cfg.experiment)(cfg)
        experiment.setup()
        start = time.perf_counter()
        experiment.trainer.fit()
        step_seconds = (time.perf_counter() - start) / steps
        import mlflow.tracking

        uri = default_tracking_uri(folder)
        client = mlflow.tracking.MlflowClient(uri)
        experiment_id = client.create_experiment("bench", artifact_location=(folder / "artifacts").as_uri())
        run_id = client.create_run(experiment_id).info.run_id
        example = experiment.model_input_example()
        experiment.raw_model.eval()
        start = time.perf_counter()
        with torch.no_grad():
            log_pytorch_model(experiment.raw_model, example, "model", run_id, uri)
        return time.perf_counter() - start, step_seconds, quick_steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20, help="training steps timed per case")
    parser.add_argument("--cases", nargs="+", default=list(CASES))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    exports: dict[str, list[float]] = {case: [] for case in args.cases}
    steps: dict[str, list[float]] = {case: [] for case in args.cases}
    quick: dict[str, int] = {}
    for _ in range(args.repeats):
        for case in args.cases:
            try:
                export, step, quick[case] = export_and_step_seconds(case, args.steps)
            except Exception as error:  # noqa: BLE001 - report the failing export and go on
                print(f"{case}: failed: {type(error).__name__}: {str(error)[:300]}", flush=True)
                continue
            exports[case].append(export)
            steps[case].append(step)
            print(f"{case}: export {export:.1f} s, {step:.3f} s/step {conditions()}")
    print(f"\nmin over {args.repeats} repeats; training = s/step x the quick config's steps (no data, evaluation)")
    print(f"{'case':32s} {'export s':>9s} {'s/step':>7s} {'steps':>6s} {'training s':>10s} {'export/training':>15s}")
    for case in args.cases:
        if not exports[case]:
            print(f"{case:32s} failed")
            continue
        training = min(steps[case]) * quick[case]
        export = min(exports[case])
        ratio = export / training
        print(f"{case:32s} {export:9.1f} {min(steps[case]):7.3f} {quick[case]:6d} {training:10.0f} {ratio:15.1%}")
    print(f"at the end {conditions()}")


if __name__ == "__main__":
    main()
