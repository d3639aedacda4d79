"""Train and evaluate one quick experiment in-process, as the regression checks do."""

from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir

from experiments.registry import get_experiment

REPO = Path(__file__).resolve().parents[1]


def run_quick(config_name: str, base_dir: Path, model: str, *overrides: str) -> dict[str, float]:
    """Run ``config/<config_name>.yaml`` with ``model``, no MLflow and no progress bars.

    Returns
    -------
    dict
        The evaluation metrics, e.g. ``{"test.auc": ...}``.
    """
    common = [f"model={model}", f"base_dir={base_dir}", f"run_name={model}", "use_mlflow=false", "progress=false"]
    with initialize_config_dir(str(REPO / "config"), version_base=None):
        cfg = compose(config_name, overrides=[*common, *overrides])
    return get_experiment(cfg.experiment)(cfg).run()
