"""MLflow tags that place a run in its Hydra sweep (``run.py -m``), whatever launched it.

Every job of a multirun (the basic launcher, Slurm or local jobs through submitit, the trials of
an Optuna study) reads its place in the sweep from Hydra's job config, so its MLflow run can be
found with the others of the same sweep: ``tags."sweep.dir" = '<folder>'`` or
``tags."sweep.study" = '<study name>'`` in the MLflow UI's search box.
"""

from __future__ import annotations

from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode


def sweep_tags() -> dict[str, str]:
    """Tags of the current Hydra multirun job; empty outside a multirun.

    Returns
    -------
    dict of str to str
        ``sweep.dir``: the sweep's folder (``hydra.sweep.dir``, one per ``-m`` command, absolute);
        ``sweep.job``: the job number (the trial number of an Optuna study);
        ``sweep.study``: the sweeper's ``study_name``, for sweepers that have one (Optuna).
        Empty for single runs and for configs composed without ``run.py`` (tests, notebooks).
    """
    if not HydraConfig.initialized():
        return {}
    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode != RunMode.MULTIRUN:
        return {}
    tags = {"sweep.dir": str(Path(hydra_cfg.sweep.dir).resolve()), "sweep.job": str(hydra_cfg.job.num)}
    if "study_name" in hydra_cfg.sweeper and hydra_cfg.sweeper.study_name is not None:
        tags["sweep.study"] = str(hydra_cfg.sweeper.study_name)
    return tags
