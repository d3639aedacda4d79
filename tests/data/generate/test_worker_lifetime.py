"""A generation killed with SIGKILL leaves no worker process running."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

TASK = """
import os, time
from pathlib import Path


def task(settings, chunk, rows):
    Path(settings["pid_dir"], f"worker_{os.getpid()}").touch()
    time.sleep(600)
"""

MAIN = """
import sys
from pathlib import Path

from lorentznets.data.generate.chunk_runner import generate_chunked_file
from slow_task import task

if __name__ == "__main__":
    folder = Path(sys.argv[1])
    generate_chunked_file(task, {"pid_dir": str(folder)}, folder / "out.h5", 4, 1, workers=2)
"""


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its new parent to reap it counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_workers_die_with_a_killed_main_process(tmp_path):
    (tmp_path / "slow_task.py").write_text(TASK)
    (tmp_path / "main.py").write_text(MAIN)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.getcwd()]), "OMP_NUM_THREADS": "1"}
    main = subprocess.Popen([sys.executable, str(tmp_path / "main.py"), str(tmp_path)], env=env)
    try:
        # Spawned workers import numpy and h5py first: on a loaded 2-core machine that takes a while.
        started = _wait_for(lambda: len(list(tmp_path.glob("worker_*"))) == 2, timeout=120)
        assert started, "the two workers did not start"
        workers = [int(p.name.split("_")[1]) for p in tmp_path.glob("worker_*")]
        assert all(_alive(pid) for pid in workers)
        main.send_signal(signal.SIGKILL)
        main.wait()
        assert _wait_for(lambda: not any(_alive(pid) for pid in workers), timeout=30), "a worker outlived the main"
    finally:
        main.kill()
        for path in tmp_path.glob("worker_*"):
            pid = int(path.name.split("_")[1])
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
