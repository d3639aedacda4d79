"""Entry point: ``python run.py -cn <experiment config> model=<model> [key=value ...]``.

The config key ``experiment`` names a registered experiment class (see
``experiments/registry.py``); everything else is documented in ``config/default.yaml`` and
``docs/running.md``. Under ``torchrun --nproc_per_node=N run.py ...`` the same command trains
with DistributedDataParallel.
"""

from __future__ import annotations

import logging
import signal
import sys

import hydra
import torch
from omegaconf import DictConfig

from experiments.base_experiment import ExperimentInputError
from experiments.common.progress import TqdmLoggingHandler
from experiments.registry import get_experiment

LOGGER = logging.getLogger("lorentznets")


def _configure_logging() -> None:
    # Hydra's "disabled" logging configs switch off every logger that exists when the job
    # starts; switch them back on and install a plain console handler ourselves.
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False
    handler = TqdmLoggingHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    for noisy in ("alembic", "mlflow", "matplotlib", "urllib3", "git"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    # Schedulers (Slurm pre-emption, torchrun) stop jobs with SIGTERM: exit through Python so
    # the MLflow run is closed as KILLED; the last checkpoint stays valid for resume=true.
    raise SystemExit(128 + signum)


@hydra.main(config_path="config", config_name="toptagging", version_base=None)
def main(cfg: DictConfig) -> float | None:
    """Build the experiment named by ``cfg.experiment`` and run it.

    Returns the metric named by ``cfg.objective`` (e.g. ``test.auc``) for sweepers such as
    Optuna, or None when ``objective`` is null.
    """
    _configure_logging()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    torch.set_num_threads(cfg.num_threads)
    try:
        experiment = get_experiment(cfg.experiment)(cfg)
        metrics = experiment.run()
    except ExperimentInputError as error:
        LOGGER.error("%s", error)
        sys.exit(2)
    if cfg.get("objective") and metrics:
        return metrics[cfg.objective]
    return None


if __name__ == "__main__":
    main()
