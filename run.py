"""Entry point: ``python run.py -cn <experiment config> model=<model> [key=value ...]``.

The config key ``experiment`` names a registered experiment class (see
``experiments/registry.py``); everything else is documented in ``config/default.yaml`` and
``docs/running.md``. Under ``torchrun --nproc_per_node=N run.py ...`` the same command trains
with DistributedDataParallel.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
from typing import NoReturn

# Before torch loads OpenMP: idle threads sleep instead of spin-waiting, which made trainings
# up to 10x slower on a machine with other work (docs/running.md, Threads). MLflow's own INFO lines
# (database setup) stay quiet unless asked for.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
# Jobs of Hydra's submitit launchers (local processes, Slurm) unpickle this script's task, which
# names the packages beside it (experiments/, hydra_plugins/): they must find them from any folder.
os.environ.update(
    PYTHONPATH=os.pathsep.join(filter(None, (os.path.dirname(os.path.abspath(__file__)), os.environ.get("PYTHONPATH"))))
)

import hydra  # noqa: E402
import torch  # noqa: E402
from hydra.core.hydra_config import HydraConfig  # noqa: E402
from hydra.core.override_parser.overrides_parser import OverridesParser  # noqa: E402
from hydra.types import RunMode  # noqa: E402
from omegaconf import DictConfig, OmegaConf  # noqa: E402

from experiments.base_experiment import ExperimentInputError
from experiments.common.config_schema import ConfigError
from experiments.common.config_upgrade import CONFIG_DIR, fill_added_keys
from experiments.common.distributed import first_to_say, run_store
from experiments.common.progress import TqdmLoggingHandler
from experiments.common.reloaded_run import adopt_run_folder
from experiments.common.stop_request import (
    exit_now,
    install_stop_handler,
    share_stop_requests,
    stop_signal,
    stopping_peer,
)
from experiments.common.sweep_errors import JobFailed
from experiments.common.threads import apply_num_threads
from experiments.registry import UnsafeImportError, get_experiment
from lorentznets.data.readers.errors import error_message

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
    for noisy in ("alembic", "mlflow", "matplotlib", "urllib3", "git", "numexpr"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _say(level: int, message: object) -> None:
    """Log a line that every process of a torchrun run may have once: the first to have it says it."""
    if first_to_say(str(message)):
        LOGGER.log(level, "%s", message)


def _stop(message: object) -> NoReturn:
    """Report bad input in one line; exit with code 2, or fail only this job within a sweep."""
    _say(logging.ERROR, message)
    # sys.exit would end the whole sweep: the jobs still to come, or an Optuna study, which
    # records the failed trial and samples the next one.
    if HydraConfig.get().mode == RunMode.MULTIRUN:
        raise JobFailed(str(message))
    sys.exit(2)


def _adopt_reloaded_run_folder(cfg: DictConfig) -> None:
    """A run folder's own config.yaml, reloaded with ``-cp <folder> -cn config``, runs in that folder
    (copied, renamed or moved), not in the one its saved keys name."""
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.job.config_name != "config":
        return
    (main_source,) = (source for source in hydra_cfg.runtime.config_sources if source.provider == "main")
    if main_source.schema != "file":
        return
    given = {override.key_or_group for override in OverridesParser.create().parse_overrides(hydra_cfg.overrides.task)}
    note = adopt_run_folder(cfg, main_source.path, kept=given)
    if note is not None:
        _say(logging.INFO, note)


def _lost_peer(error: BaseException | None) -> str | None:
    """The transport's reason when ``error``, or an error it arose from, is a collective that failed
    because another process of the run ended (gloo: 'Connection closed by peer'; NCCL: a
    DistBackendError), else None. torchrun's stop of the survivors may strike while it unwinds."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, torch.distributed.DistError) or "gloo/transport" in str(error):
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            return re.sub(r"^\[[^\]]*\]\s*", "", reason).split(". This is typically")[0]
        error = error.__cause__ or error.__context__
    return None


@hydra.main(config_path="config", config_name="toptagging", version_base=None)
def main(cfg: DictConfig) -> float | None:
    """Build the experiment named by ``cfg.experiment`` and run it.

    Returns the metric named by ``cfg.objective`` (e.g. ``test.auc``) for sweepers such as
    Optuna, or None when ``objective`` is null. Bad input exits with code 2; within a sweep
    (``-m``) it fails only its own job (:class:`JobFailed`).
    """
    _configure_logging()
    # Schedulers (Slurm pre-emption, torchrun) stop jobs with SIGTERM: the run ends within
    # seconds, its MLflow run closed as KILLED; the last checkpoint stays valid for resume=true.
    install_stop_handler()
    # under torchrun: a stop request to one process stops the run, and a line all have is said once
    share_stop_requests(run_store(), int(os.environ.get("RANK", "0")))
    if OmegaConf.is_missing(cfg, "experiment"):
        # -cn default (or a config of one's own without `experiment`): no experiment to build
        configs = sorted(path.stem for path in CONFIG_DIR.glob("*.yaml") if path.stem != "default")
        _stop(
            "config key experiment is missing: pick an experiment config with -cn <experiment>, one of "
            f"{', '.join(configs)} (config/default.yaml holds only the keys they share)"
        )
    try:
        _adopt_reloaded_run_folder(cfg)
    except ConfigError as error:
        _stop(error)
    added = fill_added_keys(cfg, CONFIG_DIR)
    if added:
        _say(
            logging.WARNING,
            f"the config predates the keys {', '.join(added)}: using today's defaults for them "
            f"(config/default.yaml, config/tasks/{cfg.experiment}.yaml)",
        )
    try:
        experiment_class = get_experiment(cfg.experiment)
        check = getattr(experiment_class, "check_config", None)
        if check is not None:
            check(cfg)
    except (ConfigError, KeyError, UnsafeImportError) as error:
        _stop(error_message(error))
    hydra_cfg = HydraConfig.get()
    sweeper = str(hydra_cfg.sweeper.get("_target_", "")).lower()
    if cfg.objective is None and hydra_cfg.mode == RunMode.MULTIRUN and "optuna" in sweeper:
        _stop(
            "config key objective is null, but the Optuna sweeper optimises it: set objective=val.<metric> "
            "(e.g. objective=val.auc 'evaluation.splits=[val,test]'; docs/running.md)"
        )
    apply_num_threads(cfg.num_threads)  # "auto": the cores this process may use, shared by this node's ranks
    try:
        metrics = experiment_class(cfg).run()
    except BaseException as error:
        signum, peer, reason = stop_signal(include_peers=False), stopping_peer(), _lost_peer(error)
        # The process that ended said why; a traceback of this one's broken collective says nothing.
        # After one process ended, torchrun stops the others with SIGTERM, which may strike here.
        if peer is not None:
            _say(
                logging.WARNING,
                f"process {peer[1]} of this run was stopped by {signal.Signals(peer[0]).name}: this one stops too",
            )
            exit_now()
        if reason is not None:
            _say(
                logging.ERROR, f"another process of this run died (its output says why): this one stops too ({reason})"
            )
            exit_now(1)
        if signum is not None or isinstance(error, KeyboardInterrupt):
            name = signal.Signals(signum).name if signum is not None else "SIGINT (Ctrl-C)"
            # one line instead of silence (SIGTERM) or a traceback from wherever it struck (Ctrl-C)
            _say(
                logging.WARNING,
                f"stopped by {name}: the MLflow run is closed as KILLED; a training continues from its last "
                "checkpoint with resume=true",
            )
            if signum is not None:
                exit_now()  # the interpreter's shutdown would take seconds more
            sys.exit(130)
        if not isinstance(error, ExperimentInputError):
            raise
        _stop(error)
    if cfg.objective is None or not metrics:
        return None
    if cfg.objective not in metrics:
        known = ", ".join(sorted(metrics))
        _stop(f"config key objective={cfg.objective!r} is not a metric of this run: expected one of {known}")
    return metrics[cfg.objective]


if __name__ == "__main__":
    main()
