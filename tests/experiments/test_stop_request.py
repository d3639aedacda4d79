"""A stop request (SIGTERM) ends a run within seconds in every phase, its MLflow run closed as KILLED,
even where library code swallows the exception it raises."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from experiment_test_utils import REPO, subprocess_env, toy_overrides
from mlflow.tracking import MlflowClient

from experiments.common.mlflow_logger import default_tracking_uri
from experiments.common.stop_request import GRACE_SECONDS


def _stop_during(
    tmp_path, phase: str, swallow: bool, signum: int = signal.SIGTERM, output: list | None = None
) -> tuple[int, float, str]:
    """Start a toy run whose ``phase`` takes a minute, send ``signum`` once it started; return the
    exit code, the seconds from the signal to the exit and the MLflow run's status (the run's
    output after the signal appended to ``output``)."""
    settings = {"use_mlflow": True, f"+toy.{phase}_seconds": 60, "+toy.swallow_exceptions": swallow}
    process = subprocess.Popen(
        [sys.executable, "run.py", "-cn", "default", *toy_overrides(tmp_path, run_name="stopped", **settings)],
        cwd=REPO,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in process.stdout:
            if f"toy: {phase} started" in line:
                break
        else:
            pytest.fail(f"the run ended before its {phase} phase")
        sent = time.monotonic()
        process.send_signal(signum)
        rest, _ = process.communicate(timeout=GRACE_SECONDS + 30)
        if output is not None:
            output.append(rest)
        elapsed = time.monotonic() - sent
    finally:
        process.kill()
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    return process.returncode, elapsed, run.info.status


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["evaluate", "plot"])
def test_sigterm_ends_the_run_within_seconds_as_killed(tmp_path, phase):
    output: list[str] = []
    returncode, elapsed, status = _stop_during(tmp_path, phase, swallow=False, output=output)
    assert (returncode, status) == (128 + signal.SIGTERM, "KILLED")
    assert "stopped by SIGTERM" in output[0]
    assert elapsed < GRACE_SECONDS  # the orderly path, not the watchdog


def test_ctrl_c_ends_the_run_in_one_line_as_killed(tmp_path):
    """SIGINT printed a traceback from wherever it struck; SIGTERM ended the run without a word."""
    output: list[str] = []
    returncode, _, status = _stop_during(tmp_path, "evaluate", swallow=False, signum=signal.SIGINT, output=output)
    assert (returncode, status) == (130, "KILLED")
    assert "stopped by SIGINT (Ctrl-C): the MLflow run is closed as KILLED" in output[0]
    assert "Traceback" not in output[0], output[0]


@pytest.mark.slow
def test_a_swallowed_stop_request_still_ends_the_run_as_killed(tmp_path):
    returncode, elapsed, status = _stop_during(tmp_path, "evaluate", swallow=True)
    assert (returncode, status) == (128 + signal.SIGTERM, "KILLED")
    assert GRACE_SECONDS <= elapsed < GRACE_SECONDS + 10


def test_forked_children_keep_the_default_meaning_of_sigterm():
    # A data-loader worker or generator pool inherits the handler; there SIGTERM must just end it.
    script = (
        "import os, signal, time\n"
        "from experiments.common.stop_request import install_stop_handler\n"
        "install_stop_handler()\n"
        "ready, announce = os.pipe()\n"
        "child = os.fork()\n"
        "if child == 0:\n"
        "    os.write(announce, b'1')\n"
        "    time.sleep(30)\n"
        "    os._exit(0)\n"
        "os.read(ready, 1)\n"
        "os.kill(child, signal.SIGTERM)\n"
        "print(os.waitpid(child, 0)[1])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == signal.SIGTERM  # killed by the signal, not exited with 143


def test_a_stop_request_waits_for_a_deferred_block():
    # a checkpoint and the metrics it covers: both written, then the run stops
    script = (
        "import os, signal\n"
        "from experiments.common.stop_request import install_stop_handler, stop_deferred\n"
        "install_stop_handler()\n"
        "try:\n"
        "    with stop_deferred():\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n"
        "        print('block finished', flush=True)\n"
        "except SystemExit as stop:\n"
        "    print('stopped', stop.code, flush=True)\n"
    )
    result = _run_python(script, timeout=60)
    assert result.stdout.split("\n")[:2] == ["block finished", f"stopped {128 + signal.SIGTERM}"], result.stderr


def test_a_stop_while_a_failed_run_closes_still_closes_it(tmp_path):
    """torchrun sends SIGTERM to the other processes when one fails: arriving while a failed run
    closes its MLflow run, it must not cut the closing short (the run stayed RUNNING)."""
    script = (
        "import os, signal\n"
        "from experiment_test_utils import compose_config, toy_overrides\n"
        "from experiments.common.mlflow_logger import MlflowLogger\n"
        "from experiments.common.stop_request import install_stop_handler, stop_signal\n"
        "from experiments.registry import get_experiment\n"
        "install_stop_handler()\n"
        "finish = MlflowLogger.finish\n"
        "def finish_while_stopped(self, status):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    finish(self, status)\n"
        "MlflowLogger.finish = finish_while_stopped\n"
        f"overrides = toy_overrides({str(tmp_path)!r}, use_mlflow=True, **{{'+toy.num_samples': 0}})\n"
        "cfg = compose_config('default', overrides)\n"
        "try:\n"
        "    get_experiment(cfg.experiment)(cfg).run()\n"
        "except Exception as error:\n"
        "    print('failed', type(error).__name__, stop_signal(), flush=True)\n"
    )
    result = _run_python(script, timeout=120)
    assert result.stdout.strip() == f"failed ExperimentInputError {int(signal.SIGTERM)}", result.stderr[-2000:]
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    assert run.info.status == "FAILED"


def _run_python(script: str, timeout: float) -> subprocess.CompletedProcess:
    """Run ``python -c script`` in the repository with the tests' environment, output captured."""
    return subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=subprocess_env(), capture_output=True, text=True, timeout=timeout
    )
