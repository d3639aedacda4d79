"""``benchmarks/amplitude_invariance.py`` on briefly trained runs, with and without particle tokens."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from benchmarks.amplitude_invariance import largest_changes
from experiments.registry import get_experiment

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("tokens", [True, False])
def test_invariance_of_a_lorentznet_run(tmp_path, tokens):
    # data.particle_tokens=false failed: the benchmark fed the tokens anyway ("scalars must have
    # shape (16, 4, 1), got (16, 4, 5)")
    overrides = {
        "model": "lorentznet",
        "model.net.hidden_channels": 8,
        "model.net.num_blocks": 1,
        "base_dir": tmp_path,
        "run_name": "r",
        "data.dir": tmp_path / "data",
        "data.processes": "[zg]",
        "data.generate.n": 100,
        "data.particle_tokens": tokens,
        "training.iterations": 2,
        "training.validate_every": 2,
        "training.batchsize": 16,
        "evaluate": False,
        "plot": False,
        "use_mlflow": False,
        "progress": False,
        "num_threads": 1,
    }
    with initialize_config_dir(str(REPO / "config"), version_base=None):
        cfg = compose("amplitudes", overrides=[f"{key}={value}" for key, value in overrides.items()])
    get_experiment(cfg.experiment)(cfg).run()
    changes = largest_changes(tmp_path / "runs" / "amplitudes" / "r", 0, events=16, transforms=2, max_rapidity=3.0)
    assert changes.processes == ["zg"]
    assert changes.standardised < 1e-8 and changes.amplitude < 1e-8  # LorentzNet is exactly invariant


def test_a_folder_without_a_run_is_refused_in_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "benchmarks/amplitude_invariance.py", str(tmp_path / "missing")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"amplitude_invariance.py: {tmp_path / 'missing' / 'config.yaml'}: no such file (expected a finished "
        "amplitude run folder)"
    ]


def test_help_gives_the_whole_first_sentence():
    result = subprocess.run(
        [sys.executable, "benchmarks/amplitude_invariance.py", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert "predictions when the test events are Lorentz transformed." in " ".join(result.stdout.split())
