"""Append this repository's ``config/`` to Hydra's search path (see the package docstring)."""

from __future__ import annotations

from pathlib import Path

from hydra.core.config_search_path import ConfigSearchPath
from hydra.plugins.search_path_plugin import SearchPathPlugin

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


class LorentznetsConfigSearchPath(SearchPathPlugin):
    """After the primary config folder: a config folder of one's own (``-cp``) may build on ours too."""

    def manipulate_search_path(self, search_path: ConfigSearchPath) -> None:
        search_path.append(provider="lorentznets", path=f"file://{CONFIG_DIR}")
