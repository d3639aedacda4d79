"""One training at a time in a run directory: an exclusive lock on ``<run dir>/.training.lock``.

Two processes training into the same run folder (the same ``run_name`` twice in a sweep, two
terminals) overwrite each other's ``config.yaml`` and checkpoints, and one restores the other's
best weights. The lock is a POSIX record lock (``fcntl.lockf``) held by the training process: the
operating system releases it when the process ends, even when it is killed, so no stale lock is
left behind; it belongs to the process, so forked DataLoader workers do not hold it and two
experiments in one process do not exclude each other; they share one open file of the lock (closing
any file of a POSIX lock would release the process's lock), closed when the last of them releases.
Where locking is impossible (Windows, a file system without locks, a lock file the user may not
write) the training goes on without the lock, with a warning.
"""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

LOGGER = logging.getLogger(__name__)
LOCK_NAME = ".training.lock"
_HELD_ELSEWHERE = (errno.EACCES, errno.EAGAIN)
"""What ``lockf`` raises when another process holds the lock."""
_HELD: dict[Path, list[int]] = {}
"""Lock files this process holds: resolved path -> [file descriptor, number of holders]."""


class TrainingLock:
    """The exclusive training lock of a run directory.

    Parameters
    ----------
    folder : str or os.PathLike
        The run directory (created if missing).
    """

    def __init__(self, folder: str | os.PathLike) -> None:
        self._held: Path | None = None
        self.path = Path(folder) / LOCK_NAME

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it (True, with a
        warning, where no lock can be taken)."""
        if fcntl is None or self._held is not None:
            return True
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            key = self.path.resolve()
            if key in _HELD:  # this process holds it already: share its file
                _HELD[key][1] += 1
                self._held = key
                return True
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            LOGGER.warning("cannot open %s (%s): training without the run-directory lock", self.path, error)
            return True
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in _HELD_ELSEWHERE:
                return False
            LOGGER.warning("cannot lock %s (%s): training without the run-directory lock", self.path, error)
            return True
        _HELD[key] = [fd, 1]
        self._held = key
        return True

    def release(self) -> None:
        """Give the lock back; the last holder in this process closes the file, which releases it."""
        key, self._held = getattr(self, "_held", None), None
        if key is None or key not in _HELD:
            return
        _HELD[key][1] -= 1
        if _HELD[key][1] == 0:
            os.close(_HELD.pop(key)[0])

    def __del__(self) -> None:
        self.release()
