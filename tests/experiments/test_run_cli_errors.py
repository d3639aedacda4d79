"""What a new user types at ``run.py`` itself: mistakes end in one line (exit code 2), not a traceback;
``--help`` says what its groups are; the paper configs run from any working directory."""

from __future__ import annotations

import subprocess
import sys

from .experiment_test_utils import REPO, run_cli, subprocess_env


def test_the_shared_default_config_names_the_experiment_configs(tmp_path):
    result = run_cli(["-cn", "default", f"base_dir={tmp_path}", "use_mlflow=false"])
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    (line,) = [line for line in result.stdout.splitlines() if " ERROR " in line]
    assert line.endswith(
        "config key experiment is missing: pick an experiment config with -cn <experiment>, one of amplitudes, "
        "jetclass, ptopreco, qgtagging, toptagging, ttbar, ttbar_assignment (config/default.yaml holds only the "
        "keys they share)"
    )


def test_help_says_what_the_tasks_group_is_and_lists_the_experiment_configs():
    result = run_cli(["--help"])
    assert result.returncode == 0, result.stderr[-2000:]
    groups = result.stdout.split("== Config ==")[0]
    assert "(`tasks` is no choice: it holds the settings each experiment config loads itself" in groups
    assert "Experiment configs (-cn): the yaml files of config/ but default.yaml, one per option of the" in groups
    # the help points at Hydra's `tasks` line for the names: it must list exactly the experiment configs
    (line,) = [line for line in groups.splitlines() if line.startswith("tasks: ")]
    configs = sorted(path.stem for path in (REPO / "config").glob("*.yaml") if path.stem != "default")
    assert line.removeprefix("tasks: ").split(", ") == configs


def test_paper_configs_find_the_quick_configs_from_any_working_directory(tmp_path):
    # config_paper builds on config/ (default, tasks/, model/): it was found from the repository root only
    result = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "-cp", "config_paper", "-cn", "toptagging", "use_mlflow=false"],
        cwd=tmp_path,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    (line,) = [line for line in result.stdout.splitlines() if " ERROR " in line]
    assert line.endswith("toptagging: cannot load data: FileNotFoundError: data/toptagging/train.h5: no such file")
