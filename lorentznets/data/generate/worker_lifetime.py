"""Make a worker process die with the process that started it.

A pool's workers are separate processes: when the main process is killed (SIGKILL, an
out-of-memory kill, a stopped ``run.py``) nothing terminates them, and they would go on
generating into a file nobody writes. On Linux the kernel kills the worker when its parent
dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere a daemon thread notices that the parent
has changed and exits.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 1.0


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    os._exit(1)


def _kernel_kills_on_parent_death() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def die_with_parent(parent_pid: int) -> None:
    """Arrange for this process to end when ``parent_pid`` ends; use as a pool ``initializer``.

    Parameters
    ----------
    parent_pid : int
        The process id of the parent (``os.getpid()`` in the parent, passed to the worker).
    """
    if not _kernel_kills_on_parent_death():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    # The parent may have died before the request above took effect.
    if os.getppid() != parent_pid:
        os._exit(1)
