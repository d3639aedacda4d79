"""How a torchrun run ends when one of its processes is stopped, killed or refuses its input: one
line for each cause (not one per process, no gloo traceback), and the MLflow status the stop
message names."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from experiment_test_utils import REPO, run_torchrun, subprocess_env, torchrun_command, toy_overrides
from mlflow.tracking import MlflowClient

from experiments.common.mlflow_logger import default_tracking_uri


def _rank_pid(launcher: int, rank: int) -> int:
    """The process of ``rank`` among torchrun's children (read from /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            environment = (entry / "environ").read_bytes().split(b"\0")
        except OSError:  # ended meanwhile
            continue
        if parent == launcher and f"RANK={rank}".encode() in environment:
            return int(entry.name)
    raise AssertionError(f"torchrun {launcher} has no process of rank {rank}")


def _signal_one_rank(tmp_path, rank: int | None, signum: int) -> tuple[str, str]:
    """Train the toy on two processes, send ``signum`` to ``rank`` (None: to torchrun) during the
    training; return the output and the MLflow run's status."""
    settings = {"training.iterations": 1000, "+toy.sleep_per_step": 0.05}
    command = torchrun_command(
        ["run.py", "-cn", "default", *toy_overrides(tmp_path, use_mlflow=True, device="cpu", **settings)]
    )
    process = subprocess.Popen(
        command, cwd=REPO, env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output = []
        for line in process.stdout:
            output.append(line)
            if "step 20/1000" in line:
                break
        else:
            pytest.fail("the run ended before its training:\n" + "".join(output))
        os.kill(process.pid if rank is None else _rank_pid(process.pid, rank), signum)
        output.append(process.communicate(timeout=90)[0])
    finally:
        process.kill()
    client = MlflowClient(default_tracking_uri(tmp_path))
    (run,) = client.search_runs([client.get_experiment_by_name("toy").experiment_id])
    return "".join(output), run.info.status


def _assert_no_process_traceback(output: str) -> None:
    # torchrun's own summary of the failed processes stays; Hydra prints a job's traceback so
    assert "Error executing job" not in output, output
    assert "gloo" not in output, output


@pytest.mark.slow
@pytest.mark.parametrize("rank", [0, 1])
def test_a_stopped_process_stops_the_run_as_killed(tmp_path, rank):
    """The stopped process said 'closed as KILLED' while the main rank, its collective broken,
    closed it FAILED (rank 1 stopped) and printed a gloo traceback."""
    output, status = _signal_one_rank(tmp_path, rank, signal.SIGTERM)
    assert status == "KILLED"
    assert output.count("stopped by SIGTERM: the MLflow run is closed as KILLED") == 1, output
    assert output.count(f"process {rank} of this run was stopped by SIGTERM: this one stops too") == 1, output
    _assert_no_process_traceback(output)


@pytest.mark.slow
def test_stopping_torchrun_stops_every_process_in_one_line(tmp_path):
    # every process has the stop: the first to publish it says so, the others that they follow
    # it (not that another died, when their collective broke first)
    output, status = _signal_one_rank(tmp_path, None, signal.SIGTERM)
    assert status == "KILLED"
    assert output.count("stopped by SIGTERM: the MLflow run is closed as KILLED") == 1, output
    assert output.count("of this run was stopped by SIGTERM: this one stops too") <= 1, output
    assert "another process of this run died" not in output, output
    _assert_no_process_traceback(output)


@pytest.mark.slow
def test_a_killed_process_ends_the_others_in_one_line(tmp_path):
    output, status = _signal_one_rank(tmp_path, 1, signal.SIGKILL)
    assert status == "FAILED"
    assert output.count("another process of this run died (its output says why): this one stops too") == 1, output
    assert "stopped by" not in output  # torchrun's SIGTERM to the survivor is not this run's cause
    _assert_no_process_traceback(output)


@pytest.mark.slow
def test_an_input_error_of_every_process_is_printed_once(tmp_path):
    overrides = toy_overrides(tmp_path, device="cpu", **{"+toy.num_samples": 0})
    result = run_torchrun(["run.py", "-cn", "default", *overrides], timeout=300)
    assert result.returncode != 0
    assert result.stdout.count("toy.num_samples must be positive, got 0") == 1, result.stdout + result.stderr
    _assert_no_process_traceback(result.stdout + result.stderr)


def test_a_stop_request_is_published_before_the_process_unwinds():
    """Fast: the store and stop handler of two processes of a run, played in one process."""
    script = (
        "import os, signal, torch.distributed as dist\n"
        "from experiments.common import stop_request as s\n"
        "store = dist.TCPStore('127.0.0.1', 0, 1, True)\n"
        "s.install_stop_handler()\n"
        "s.share_stop_requests(store, rank=1)\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "except SystemExit as stop:\n"
        "    print('published', stop.code, store.get('stop').decode(), flush=True)\n"
        "s.install_stop_handler()\n"  # now the process of rank 0, whose collective failed
        "s.share_stop_requests(store, rank=0)\n"
        "print('rank 0 sees', s.stop_signal(), s.stopping_peer(), flush=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=subprocess_env(), capture_output=True, text=True, timeout=60
    )
    assert result.stdout.splitlines() == [
        f"published {128 + signal.SIGTERM} {signal.SIGTERM} 1",
        f"rank 0 sees {signal.SIGTERM} ({signal.SIGTERM}, 1)",
    ], result.stderr
