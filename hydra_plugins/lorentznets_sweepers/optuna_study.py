"""Hydra's Optuna sweeper, ending in one line when its trials fail (``hydra/sweeper=optuna_study``).

The plugin's own sweeper ends a study whose trials all failed with optuna's traceback "No trials
are completed yet", after the one-line errors of the trials, and a study stopped by its
``max_failure_rate`` with the traceback of the trial's :class:`~experiments.common.sweep_errors.JobFailed`.
Both become one log line here, and exit code 1; any other error keeps its traceback.
"""

from __future__ import annotations

import logging
from importlib.util import find_spec
from pathlib import Path

from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig

from experiments.common.sweep_errors import JobFailed

LOGGER = logging.getLogger(__name__)

_NO_COMPLETED_TRIAL = "No trials are completed yet"
"""optuna's ``ValueError`` from ``Study.best_trial`` when no trial completed."""

# Hydra imports every module of hydra_plugins at each start: without the optional Optuna plugin
# this module defines nothing, instead of a warning in every run.
if find_spec("hydra_plugins.hydra_optuna_sweeper") is not None:
    # the module, not the class: Hydra's plugin scan registers every class a module names, and
    # would list the plugin's sweeper a second time under this module
    from hydra_plugins.hydra_optuna_sweeper import optuna_sweeper

    class OptunaStudySweeper(optuna_sweeper.OptunaSweeper):
        """The plugin's sweeper with the same settings (``config/hydra/sweeper/optuna_study.yaml``)."""

        def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
            super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
            self._sweep_dir = Path(config.hydra.sweep.dir).resolve()
            self._objective = config.objective

        def sweep(self, arguments: list[str]) -> None:
            # SystemExit, since Hydra adds a traceback, or a line about HYDRA_FULL_ERROR, to an exception
            try:
                return super().sweep(arguments)
            except ValueError as error:
                if _NO_COMPLETED_TRIAL not in str(error):
                    raise
                LOGGER.error(
                    "all %d trials of the Optuna study failed, none gave objective=%s: each trial's error is on "
                    "its 'Failed experiment:' line above (job folders and launcher logs: %s)",
                    self.sweeper.n_trials,
                    self._objective,
                    self._sweep_dir,
                )
                raise SystemExit(1) from None
            except JobFailed as error:
                LOGGER.error(
                    "the Optuna study stops at a failed trial (%s): more trials of a batch failed than "
                    "hydra.sweeper.max_failure_rate=%s allows (1.0 records failed trials and goes on)",
                    error,
                    self.sweeper.max_failure_rate,
                )
                raise SystemExit(1) from None
