"""Runs tracked by a real ``mlflow server`` (SQLite backend, proxied artifacts) on localhost, as
on a cluster where the jobs' nodes send their runs to one tracking server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from cluster.cluster_test_utils import free_port, mlflow_runs
from experiment_test_utils import REPO, subprocess_env, toy_overrides

pytestmark = pytest.mark.slow


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"mlflow server exited with code {server.returncode}"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise TimeoutError(f"mlflow server at {url} not healthy after {timeout} s")


@pytest.fixture
def mlflow_server(tmp_path: Path) -> Iterator[str]:
    """URL of an ``mlflow server`` on a free localhost port, stopped at teardown."""
    port = free_port()
    log = (tmp_path / "mlflow_server.log").open("w")
    command = [
        shutil.which("mlflow") or "mlflow",
        "server",
        "--backend-store-uri",
        f"sqlite:///{tmp_path / 'server' / 'mlflow.db'}",
        "--artifacts-destination",
        str(tmp_path / "server" / "artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    (tmp_path / "server").mkdir()
    # The server's job runner (a pool of worker processes for UI-triggered jobs) is not needed.
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false", "OMP_NUM_THREADS": "1"}
    # A session of its own: teardown stops the server and the uvicorn worker it starts.
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server, timeout=120)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def test_two_concurrent_runs_are_tracked_by_a_server(tmp_path, mlflow_server):
    env = subprocess_env()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "run.py",
                "-cn",
                "default",
                *toy_overrides(tmp_path, run_name=name, use_mlflow=True, **{"mlflow.tracking_uri": mlflow_server}),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("first", "second")
    ]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output[-3000:]
    runs = {run.info.run_name: run for run in mlflow_runs(mlflow_server, "toy")}
    assert set(runs) == {"first", "second"}
    for name, run in runs.items():
        assert run.info.status == "FINISHED"
        assert run.data.metrics["test.count"] == 80
        assert run.data.params["mlflow.tracking_uri"] == mlflow_server
        # Artifacts went through the server into its artifact folder, not next to the run.
        run_artifacts = tmp_path / "server" / "artifacts" / run.info.experiment_id / run.info.run_id / "artifacts"
        assert (run_artifacts / "config" / "config.yaml").is_file(), name
        assert list((run_artifacts / "evaluation").glob("*.json")), name
    assert not (tmp_path / "runs" / "tracking").exists()
