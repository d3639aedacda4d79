"""Configs of run folders written by an earlier version: keys added since then get today's defaults.

``python run.py -cp runs/<exp>/<run> -cn config train=false warm_start_idx=0`` reloads a run's
saved ``config.yaml``. A key added to the configs after the run was made (e.g. ``evaluation.splits``)
is missing there, and the schema would refuse the config. :func:`fill_added_keys` adds each such
key with the value today's quick config gives it (``config/default.yaml``, the experiment's
``config/tasks/<experiment>.yaml``) and says which. Keys inside ``model`` are left alone (a net's
arguments come from the saved config only, so that the saved weights fit), and so is Hydra's own
``hydra`` section.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

SKIPPED_SECTIONS = ("model", "hydra")

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
"""The repository's ``config/`` folder (the quick configs)."""


@functools.cache
def _default_yaml() -> DictConfig:
    return OmegaConf.load(CONFIG_DIR / "default.yaml")


def default_value(key: str) -> Any:
    """The value of the dotted ``key`` (e.g. ``training.scheduler.warmup_fraction``) in
    ``config/default.yaml``."""
    return OmegaConf.select(_default_yaml(), key)


def current_defaults(experiment: str, config_dir: Path) -> DictConfig | None:
    """Today's quick config of a registered experiment without its model, or None for an
    experiment with no ``config/tasks/<experiment>.yaml`` (e.g. ``module:Class``)."""
    task = config_dir / "tasks" / f"{experiment}.yaml"
    if ":" in experiment or not task.is_file():
        return None
    parts = [OmegaConf.to_container(OmegaConf.load(path)) for path in (config_dir / "default.yaml", task)]
    return OmegaConf.merge(*({k: v for k, v in part.items() if k != "defaults"} for part in parts))


def _missing(defaults: Mapping[str, Any], config: Mapping[str, Any], prefix: str = "") -> list[str]:
    paths = []
    for key, value in defaults.items():
        path = f"{prefix}{key}"
        if path in SKIPPED_SECTIONS:
            continue
        if key not in config:
            paths.append(path)
        elif isinstance(value, Mapping) and isinstance(config[key], Mapping):
            paths.extend(_missing(value, config[key], f"{path}."))
    return paths


def fill_added_keys(cfg: DictConfig, config_dir: Path) -> list[str]:
    """Add to ``cfg`` (in place) the keys of today's defaults that it lacks.

    Parameters
    ----------
    cfg : DictConfig
        The composed config, e.g. a run folder's saved ``config.yaml``.
    config_dir : Path
        The repository's ``config/`` folder.

    Returns
    -------
    list of str
        Dotted paths of the keys added (empty for a config composed from today's files).
    """
    defaults = current_defaults(str(cfg.get("experiment")), config_dir)
    if defaults is None:
        return []
    raw_defaults = OmegaConf.to_container(defaults, resolve=False)
    paths = _missing(raw_defaults, OmegaConf.to_container(cfg, resolve=False))
    for path in paths:
        OmegaConf.update(cfg, path, OmegaConf.select(defaults, path), force_add=True)
    return paths
