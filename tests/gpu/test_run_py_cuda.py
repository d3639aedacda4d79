"""One short ``run.py`` per experiment with ``device=cuda``, one with ``training.compile=true``, and
``torchrun --nproc_per_node=1`` over NCCL. Tiny settings from the CPU experiment tests."""

from __future__ import annotations

import importlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch


def _missing_experiment_dependencies() -> str | None:
    """The import error of the experiments, if their dependencies are not installed (None if they are)."""
    try:
        for name in ("tagging", "amplitudes", "eventgen", "ptopreco", "assignment"):
            importlib.import_module(f"experiments.{name}.experiment")
    except ImportError as error:
        return str(error)
    return None


pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]
MISSING = _missing_experiment_dependencies() if torch.cuda.is_available() else None
if MISSING:  # e.g. the offline GPU check, whose wheel folder leaves MLflow, scikit-learn, ... out
    pytestmark.append(pytest.mark.skip(reason=f"experiment dependencies missing: {MISSING}"))

REPO = Path(__file__).resolve().parents[2]
EXPERIMENT_TESTS = REPO / "tests" / "experiments"


def _module(relative: str):
    """Import a helper module of the CPU experiment tests by path (they are not a package)."""
    path = EXPERIMENT_TESTS / relative
    sys.path[:0] = [str(EXPERIMENT_TESTS), str(path.parent)]
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(*args: str, launcher: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    env = _module("experiment_test_utils.py").subprocess_env()
    command = [sys.executable, *launcher, "run.py", *args]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result


def _as_args(values: dict) -> list[str]:
    return [f"{key}={value}" for key, value in values.items()]


def _tagging_args(tmp_path: Path, **extra) -> list[str]:
    utils = _module("tagging/tagging_test_utils.py")
    data = utils.write_lgn_jets(tmp_path / "jets.h5")
    return [*utils.tagging_overrides(tmp_path, data, **{"training.iterations": 5, **extra}), "device=cuda"]


def test_toptagging_transformer_on_cuda(tmp_path):
    _run("-cn", "toptagging", *_tagging_args(tmp_path))


def test_toptagging_transformer_compiled_on_cuda(tmp_path):
    _run("-cn", "toptagging", *_tagging_args(tmp_path, **{"training.compile": "true", "run_name": "compiled"}))


def test_toptagging_gatr_bf16_on_cuda(tmp_path):
    args = [a for a in _tagging_args(tmp_path) if not a.startswith("model.net.")]
    gatr = {
        "model": "gatr",
        "model.net.num_blocks": 1,
        "model.net.hidden_mv_channels": 4,
        "model.net.hidden_s_channels": 8,
        "training.bf16": "true",
    }
    _run("-cn", "toptagging", *args, *_as_args(gatr))


def test_torchrun_one_process_nccl(tmp_path):
    launcher = ("-m", "torch.distributed.run", "--standalone", "--nproc_per_node=1")
    _run("-cn", "toptagging", *_tagging_args(tmp_path, run_name="ddp"), launcher=launcher)


def test_amplitudes_on_cuda(tmp_path):
    values = {
        "model": "lorentznet",
        "+model.name": "lorentznet",
        "+model.net": "{hidden_channels: 8, num_blocks: 1}",
        "base_dir": tmp_path,
        "run_name": "r",
        "data.dir": tmp_path / "data",
        "data.generate.n": 200,
        "training.iterations": 5,
        "training.validate_every": 5,
        "training.batchsize": 32,
        "evaluation.batchsize": 64,
        "progress": "false",
        "num_threads": 1,
        "device": "cuda",
    }
    _run("-cn", "amplitudes", *_as_args(values))


def test_eventgen_on_cuda(tmp_path):
    helpers = _module("eventgen/helpers.py")
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_1j.npy", helpers.make_ttbar_events(600, n_extra_jets=1))
    values = {
        "model": "mlp",
        "data.path": tmp_path / "data",
        "base_dir": tmp_path,
        "data.n_extra_jets": 1,
        "data.generate": "null",
        "progress": "false",
        "training.iterations": 4,
        "training.validate_every": 2,
        "training.batchsize": 32,
        "mlflow.log_checkpoint": "false",
        "sampling.n_samples": "null",
        "sampling.batchsize": 50,
        "sampling.solver.steps": 2,
        "likelihood.n_events": 8,
        "likelihood.solver.steps": 2,
        "classifier.max_iter": 10,
        "plotting.bins": 10,
        "model.net.hidden_channels": 16,
        "model.net.num_layers": 1,
        "device": "cuda",
    }
    _run("-cn", "ttbar", *_as_args(values))


def test_ptopreco_on_cuda(tmp_path):
    module = _module("ptopreco/test_ptopreco_experiment.py")
    data = module.write_top_jets(tmp_path / "top.h5")
    _run("-cn", "ptopreco", *module.overrides(tmp_path, data, **{"training.iterations": 5}), "device=cuda")


def test_assignment_on_cuda(tmp_path):
    utils = _module("assignment/assignment_test_utils.py")
    data = utils.write_spanet_file(tmp_path / "events.h5")
    values = {
        "model": "transformer",
        "data.path": data,
        "data.generate": "null",
        "base_dir": tmp_path,
        "run_name": "test",
        "training.iterations": 6,
        "training.validate_every": 3,
        "training.batchsize": 16,
        "evaluation.batchsize": 64,
        "heads.features": 8,
        "heads.rank": 4,
        "model.net.hidden_channels": 8,
        "progress": "false",
        "use_mlflow": "false",
        "num_threads": 1,
        "device": "cuda",
    }
    _run("-cn", "ttbar_assignment", *_as_args(values))
