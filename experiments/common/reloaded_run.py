"""A run folder reloaded with ``-cp`` names itself, wherever it lies now.

``python run.py -cp runs/<exp>/<run> -cn config train=false warm_start_idx=0`` reloads the run's
saved ``config.yaml``, whose ``base_dir``, ``exp_name`` and ``run_name`` name the folder the run
was made in. A folder copied under another name, moved to another ``base_dir`` or to another
machine would read its models from, and write its evaluations, plots and MLflow run into, the
original folder (or fail where that is gone). :func:`adopt_run_folder` points the three keys at
the folder the config was read from.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path

from omegaconf import DictConfig

from experiments.common.config_schema import ConfigError

RUN_FOLDER_KEYS = ("base_dir", "exp_name", "run_name")
"""The config keys that place a run folder at ``<base_dir>/runs/<exp_name>/<run_name>``."""

_RUN_CONTENT = ("models", "checkpoints")


def adopt_run_folder(cfg: DictConfig, folder: str | os.PathLike, kept: Collection[str] = ()) -> str | None:
    """Point ``base_dir``, ``exp_name`` and ``run_name`` of ``cfg`` (in place) at ``folder``.

    Parameters
    ----------
    cfg : DictConfig
        The config read from ``folder/config.yaml``.
    folder : str or os.PathLike
        The folder ``-cp`` named (as Hydra found it).
    kept : collection of str
        Keys given on the command line (e.g. ``run_name=<new run>``): they keep their value.

    Returns
    -------
    str or None
        A one-line note when the saved keys named another folder; None when they name ``folder``
        (compared after following links) or ``folder`` is no run folder (a config kept elsewhere,
        with no ``models/`` or ``checkpoints/``, e.g. a template for new runs).

    Raises
    ------
    ConfigError
        ``folder`` holds a run's models or checkpoints but does not lie in a ``runs/<exp_name>/``
        folder, where the run would look for them.
    """
    folder = Path(folder).resolve()
    if folder.parent.parent.name != "runs":
        if any((folder / name).is_dir() for name in _RUN_CONTENT):
            raise ConfigError(
                f"-cp {folder}: a run folder must lie at <base_dir>/runs/<exp_name>/<run_name> to be reloaded (the "
                f"run reads its models there), not in {folder.parent}; move it, e.g. to "
                f"{folder.parent / 'runs' / str(cfg.exp_name) / folder.name}"
            )
        return None
    saved = Path(str(cfg.base_dir), "runs", str(cfg.exp_name), str(cfg.run_name))
    if Path(os.path.realpath(saved)) == folder:
        return None
    derived = {"base_dir": str(folder.parents[2]), "exp_name": folder.parent.name, "run_name": folder.name}
    follows_exp_name = cfg.mlflow.experiment_name == cfg.exp_name and not {"exp_name", "mlflow.experiment_name"} & set(
        kept
    )
    for key, value in derived.items():
        if key not in kept:
            cfg[key] = value
    if follows_exp_name:  # the MLflow experiment is named after exp_name unless set apart
        cfg.mlflow.experiment_name = cfg.exp_name
    now = ", ".join(f"{key}={cfg[key]}" for key in RUN_FOLDER_KEYS)
    return f"{folder / 'config.yaml'} was saved in the run folder {saved}: using {folder} ({now})"
