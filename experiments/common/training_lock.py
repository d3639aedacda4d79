"""One training at a time in a run directory: an exclusive lock on ``<run dir>/.training.lock``.

Two processes training into the same run folder (the same ``run_name`` twice in a sweep, two
terminals) overwrite each other's ``config.yaml`` and checkpoints, and one restores the other's
best weights. The lock is an advisory ``flock`` held by the training process: the operating system
releases it when the process ends, even when it is killed, so no stale lock is ever left behind.
On a system without ``fcntl`` (Windows) there is no lock.
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

LOCK_NAME = ".training.lock"


class TrainingLock:
    """The exclusive training lock of a run directory.

    Parameters
    ----------
    folder : str or os.PathLike
        The run directory (created if missing).
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        if fcntl is None or self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        """Give the lock back (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
