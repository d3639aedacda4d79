"""Test MSE against training-set size for several models: runs the amplitude experiment for every
(model, training size) pair and writes a table and a plot.

Usage::

    python -m experiments.amplitudes.scaling --models mlp transformer gatr pelican lorentznet \
        --train-sizes 1000 4000 --out runs/amplitudes_scaling -- training.iterations=1000

Arguments after ``--`` are Hydra overrides applied to every run (on top of ``config/amplitudes.yaml``).
Each run is a normal experiment run (``runs/<exp_name>/<model>_n<size>/``, MLflow experiment
``amplitudes_scaling``). Results go to ``<out>/results.json``, ``<out>/results.md`` and
``<out>/scaling.pdf``; the test MSE is that of all test events (all processes together).
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from hydra import compose, initialize_config_dir

from experiments.amplitudes.plots import plot_scaling
from experiments.common.config_upgrade import CONFIG_DIR
from experiments.common.threads import apply_num_threads
from experiments.registry import get_experiment


def run_one(model: str, train_size: int, overrides: list[str]) -> dict[str, float]:
    """Train and evaluate one model on ``train_size`` training events per process; return metrics."""
    with initialize_config_dir(str(CONFIG_DIR), version_base=None):
        cfg = compose(
            "amplitudes",
            overrides=[
                f"model={model}",
                f"data.train_size={train_size}",
                "exp_name=amplitudes_scaling",
                f"run_name={model}_n{train_size}",
                *overrides,
            ],
        )
    apply_num_threads(cfg.num_threads)  # as run.py does: "auto" (the default) is the cores this process may use
    start = time.perf_counter()
    metrics = get_experiment(cfg.experiment)(cfg).run()
    return {**metrics, "seconds": time.perf_counter() - start}


def results_table(results: dict[str, dict[int, dict[str, float]]]) -> str:
    """Markdown table of test MSE (all processes and per process) by model and training size."""
    keys = sorted({k for by_size in results.values() for m in by_size.values() for k in m if k.startswith("test.")})
    keys = [k for k in keys if k.endswith(".mse")] + [k for k in keys if "frac_rel_err_below_1pct" in k]
    lines = ["| model | train size / process | " + " | ".join(keys) + " | seconds |"]
    lines.append("|" + "---|" * (len(keys) + 3))
    for model, by_size in results.items():
        for size, metrics in sorted(by_size.items()):
            values = " | ".join(f"{metrics[k]:.4g}" for k in keys)
            lines.append(f"| {model} | {size} | {values} | {metrics['seconds']:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", required=True, help="model config names")
    parser.add_argument("--train-sizes", nargs="+", type=int, required=True, help="events per process")
    parser.add_argument("--out", default="runs/amplitudes_scaling", help="output folder")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run (after --)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("alembic", "mlflow", "matplotlib", "urllib3", "git"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[int, dict[str, float]]] = {}
    for model in args.models:
        for size in args.train_sizes:
            results.setdefault(model, {})[size] = run_one(model, size, args.overrides)
            (out / "results.json").write_text(json.dumps(results, indent=1))
    (out / "results.md").write_text(results_table(results))
    sizes = sorted(args.train_sizes)
    plot_scaling(
        sizes,
        {model: [results[model][s]["test.mse"] for s in sizes] for model in args.models},
        out / "scaling.pdf",
    )
    print(results_table(results))


if __name__ == "__main__":
    main()
