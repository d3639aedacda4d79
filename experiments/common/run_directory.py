"""Layout of one run's directory ``runs/<exp_name>/<run_name>/`` (see ``base_experiment``)."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

# Written into each saved config so that ``run.py -cp <run dir> -cn config`` behaves like the
# original run: no working-directory change, no Hydra output folder, logging left to us.
HYDRA_DEFAULTS = [
    "_self_",
    {"override hydra/job_logging": "disabled"},
    {"override hydra/hydra_logging": "disabled"},
]
HYDRA_SETTINGS = {
    "run": {"dir": "."},
    "output_subdir": None,
    "job": {"chdir": False},
}

_MODEL_PATTERN = re.compile(r"model_run(\d+)\.pt")
_FOLDERS = ("checkpoints", "models", "evaluation", "plots", "predictions")


class RunDirectory:
    """Paths and small files of a run directory.

    Parameters
    ----------
    path : str or os.PathLike
        ``<base_dir>/runs/<exp_name>/<run_name>``.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)

    @property
    def config_path(self) -> Path:
        """The resolved, reloadable config."""
        return self.path / "config.yaml"

    @property
    def last_checkpoint(self) -> Path:
        """Full training state for ``resume=true``."""
        return self.path / "checkpoints" / "last.pt"

    @property
    def best_checkpoint(self) -> Path:
        """Weights with the best validation loss."""
        return self.path / "checkpoints" / "best.pt"

    def check_layout(self) -> None:
        """Refuse a run directory whose folders or files have the wrong kind (a file where a
        folder belongs or the other way round), before any work that would fail on them.

        Raises
        ------
        NotADirectoryError
            Naming the path.
        IsADirectoryError
            Naming the path.
        """
        if self.path.exists() and not self.path.is_dir():
            raise NotADirectoryError(f"the run directory {self.path} is a file, not a folder")
        for name in _FOLDERS:
            folder = self.path / name
            if folder.exists() and not folder.is_dir():
                raise NotADirectoryError(f"{folder} is a file, but the run writes a folder there: move it away")
        files = [self.config_path, self.last_checkpoint, self.best_checkpoint]
        folder = self.path / "models"
        if folder.is_dir():
            files += [p for p in folder.iterdir() if _MODEL_PATTERN.fullmatch(p.name)]
        for path in files:
            if path.exists() and not path.is_file():
                raise IsADirectoryError(f"{path} is a folder, but the run reads and writes a file there: move it away")

    def models(self) -> list[int]:
        """Indices k of the saved final models ``models/model_run<k>.pt``, sorted."""
        folder = self.path / "models"
        if not folder.is_dir():
            return []
        matches = (_MODEL_PATTERN.fullmatch(p.name) for p in folder.iterdir())
        return sorted(int(m.group(1)) for m in matches if m)

    def model_path(self, index: int) -> Path:
        """Path of model ``index`` (existing or to be written)."""
        return self.path / "models" / f"model_run{index}.pt"

    def existing_model_path(self, index: int) -> Path:
        """Path of an existing saved model.

        Raises
        ------
        FileNotFoundError
            If model ``index`` was never saved; the message lists the saved indices.
        """
        path = self.model_path(index)
        if not path.is_file():
            raise FileNotFoundError(
                f"no saved model {path} (warm_start_idx={index}); saved models in "
                f"{self.path / 'models'}: {self.models()}"
            )
        return path

    def next_model_index(self) -> int:
        """Index the next completed training writes."""
        models = self.models()
        return models[-1] + 1 if models else 0

    def write_config(self, cfg: DictConfig, overwrite: bool) -> Path:
        """Write the resolved config with the Hydra settings needed to reload it.

        The file is kept when it exists and ``overwrite`` is False (resumed runs, evaluations).
        """
        if self.config_path.is_file() and not overwrite:
            return self.config_path
        container = {
            "defaults": HYDRA_DEFAULTS,
            **OmegaConf.to_container(cfg, resolve=True),
            "hydra": HYDRA_SETTINGS,
        }
        self.path.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.config_path, OmegaConf.to_yaml(OmegaConf.create(container)))
        return self.config_path

    def write_metrics(
        self, metrics: Mapping[str, float], model_index: int | None, config: DictConfig | None = None
    ) -> Path:
        """Write evaluation metrics to ``evaluation/model_run<k>_<timestamp>.json`` and, with
        ``config``, the config they were computed under beside it (``.config.yaml``): a
        re-evaluation on other data, unweighted or streamed, is then told apart from the first.

        Strict JSON (read by jq and JavaScript alike): a non-finite value, such as the rejection
        of a tagger that no background jet passes, is written as the string ``"inf"``, ``"-inf"``
        or ``"nan"``.
        """
        stamp = datetime.now().strftime("%Y%m%d_%H%M%S_%f")
        name = f"model_run{model_index}_{stamp}.json"
        path = self.path / "evaluation" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if config is not None:
            write_text_atomic(path.with_suffix(".config.yaml"), OmegaConf.to_yaml(config, resolve=True))
        values = {key: value if math.isfinite(value) else str(float(value)) for key, value in metrics.items()}
        write_text_atomic(path, json.dumps(values, indent=2, sort_keys=True, allow_nan=False))
        return path


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through ``<path>.tmp`` and a rename: a reader never sees half a file.

    A writer killed at any moment (a time limit, Ctrl-C) leaves the previous file, never a
    truncated one, and removes its ``.tmp`` when it can.

    Parameters
    ----------
    path : pathlib.Path
        The destination; its folder must exist.
    text : str
    """
    tmp = path.with_name(path.name + ".tmp")  # same folder: the rename cannot cross file systems
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
