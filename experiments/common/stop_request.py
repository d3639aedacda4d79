"""Stop requests: SIGTERM ends a run within seconds in every phase, its MLflow run closed as KILLED.

Schedulers stop jobs with SIGTERM (Slurm pre-emption, torchrun, ``kill``). The handler that
:func:`install_stop_handler` sets raises :class:`SystemExit` (exit code 128 + signal) in the
main thread, so the run unwinds through the base experiment, which closes the MLflow run as
KILLED; the last checkpoint stays valid for ``resume=true``. Three things could defeat that,
and each has its remedy here:

- Library code may swallow the exception (a broad ``except``, a ``__del__``) or turn it into
  another one (an exception raised during ``import`` of a class body becomes a
  ``RuntimeError``). The request is recorded, so :func:`raise_if_stopped` at the boundaries of
  the run's phases and :func:`stop_signal` in the error path still see it.
- A phase may not return to the interpreter for long. A watchdog thread, started by the request,
  runs the callbacks registered with :func:`forced_exit_cleanup` (closing the MLflow run) and
  ends the process after :data:`GRACE_SECONDS`.
- The interpreter's own shutdown (garbage collection of torch, MLflow, scikit-learn and
  matplotlib objects) took 5 s on a loaded 2-core machine: :func:`exit_now` ends a stopped run
  with ``os._exit`` once its run is closed.

Under ``torchrun`` a stop request to one process stops the run: :func:`share_stop_requests`
publishes it in the run's store before the process unwinds, and the others, whose collectives
then fail, find it there (:func:`stop_signal`, :func:`stopping_peer`): the main rank closes the
MLflow run as KILLED, not FAILED.

Processes forked from the main one (data-loader workers, generator pools) inherit the handler;
in them a SIGTERM keeps its default meaning and ends the process.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torch.distributed import Store

__all__ = [
    "GRACE_SECONDS",
    "exit_now",
    "forced_exit_cleanup",
    "install_stop_handler",
    "raise_if_stopped",
    "share_stop_requests",
    "stop_deferred",
    "stop_signal",
    "stopping_peer",
    "stops_held",
]

LOGGER = logging.getLogger("lorentznets")

GRACE_SECONDS = 10.0
"""Seconds between a stop request and the forced end of a process that has not ended by itself."""

_STOP_KEY = "stop"


class _StopState:
    """What the handler records: the process that installed it, the request and the cleanups."""

    def __init__(self) -> None:
        self.owner_pid: int | None = None
        self.signum: int | None = None
        self.grace_seconds = GRACE_SECONDS
        self.cleanups: list[Callable[[], None]] = []
        self.deferring = False
        self.store: Store | None = None
        self.rank = 0
        self.peer: tuple[int, int] | None = None


_STATE = _StopState()


def install_stop_handler(signals: tuple[int, ...] = (signal.SIGTERM,), grace_seconds: float = GRACE_SECONDS) -> None:
    """Handle ``signals`` as stop requests in this process (call it from the main thread).

    Parameters
    ----------
    signals : tuple of int
        Signal numbers, SIGTERM by default (SIGINT stays Python's ``KeyboardInterrupt``).
    grace_seconds : float
        Seconds after the request before the watchdog ends the process.
    """
    _STATE.owner_pid = os.getpid()
    _STATE.signum = None
    _STATE.peer = None
    _STATE.grace_seconds = grace_seconds
    for signum in signals:
        signal.signal(signum, _handle)


def _handle(signum: int, _frame: object) -> None:
    if os.getpid() != _STATE.owner_pid:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    if _STATE.signum is not None:  # already stopping: the watchdog bounds the rest
        return
    # unwinding already on another process's stop (found when a collective broke): an exception
    # now would cut short the closing of the MLflow run
    unwinding = _STATE.peer is not None
    _STATE.signum = signum
    first = _publish(signum)
    if first is not None and first[1] != _STATE.rank:  # torchrun stops the others after one ended
        _STATE.peer = first
    threading.Thread(target=_watchdog, args=(signum, _STATE.grace_seconds), name="stop-watchdog", daemon=True).start()
    if not _STATE.deferring and not unwinding:
        raise SystemExit(128 + signum)


def share_stop_requests(store: Store | None, rank: int) -> None:
    """Share stop requests with the other processes of a ``torchrun`` run.

    Parameters
    ----------
    store : torch.distributed.Store or None
        The run's store (:func:`~experiments.common.distributed.run_store`); None: one process.
    rank : int
        This process's rank, named to the others.
    """
    _STATE.store = store
    _STATE.rank = rank


def _publish(signum: int) -> tuple[int, int] | None:
    """Publish this process's stop unless another was first; return the first (signal, rank), or
    None without a store. Before the process unwinds and its connections close, so that the others
    find it when their collectives break."""
    if _STATE.store is None:
        return None
    try:
        first = _STATE.store.compare_set(_STOP_KEY, "", f"{signum} {_STATE.rank}")
    except RuntimeError:  # the store is gone (the run is ending anyway)
        return None
    return _parse_stop(first)


def _parse_stop(value: bytes) -> tuple[int, int]:
    signum, rank = (int(part) for part in value.split())
    return signum, rank


@contextmanager
def stop_deferred() -> Iterator[None]:
    """Hold a stop request back until the block is done (a checkpoint and the metrics it covers
    are then both written or both not); the watchdog still bounds the wait."""
    _STATE.deferring = True
    try:
        yield
    finally:
        _STATE.deferring = False
    raise_if_stopped()


@contextmanager
def stops_held() -> Iterator[None]:
    """Hold a stop request back during the block and leave it pending after it (no raise): for
    closing a run that an exception is already ending, e.g. the MLflow run, which a stop raised
    in the middle would leave RUNNING (torchrun sends SIGTERM to the other processes when one
    fails). The watchdog still bounds the wait; :func:`stop_signal` reports the request."""
    previous = _STATE.deferring
    _STATE.deferring = True
    try:
        yield
    finally:
        _STATE.deferring = previous


def _watchdog(signum: int, grace_seconds: float) -> None:
    time.sleep(grace_seconds)
    LOGGER.warning(
        "stop request (%s) not completed within %.0f s: closing the run and ending the process",
        signal.Signals(signum).name,
        grace_seconds,
    )
    for cleanup in list(_STATE.cleanups):
        try:
            cleanup()
        except Exception as error:  # noqa: BLE001 - the process ends either way
            LOGGER.warning("cleanup on stop failed: %s: %s", type(error).__name__, error)
    exit_now()


def stop_signal(include_peers: bool = True) -> int | None:
    """The signal number of a stop request received by this process or, under ``torchrun``
    (:func:`share_stop_requests`) and with ``include_peers``, by another process of the run;
    None without one."""
    if _STATE.signum is not None or not include_peers:
        return _STATE.signum
    peer = stopping_peer()
    return None if peer is None else peer[0]


def stopping_peer() -> tuple[int, int] | None:
    """The signal number and rank of the run's first stop request when another process of the
    run received it (and published it before it ended), or None."""
    if _STATE.peer is None and _STATE.store is not None:
        try:
            if _STATE.store.check([_STOP_KEY]):
                first = _parse_stop(_STATE.store.get(_STOP_KEY))
                if first[1] != _STATE.rank:
                    _STATE.peer = first
        except RuntimeError:  # the store is gone: nothing to learn from it
            pass
    return _STATE.peer


def raise_if_stopped() -> None:
    """Raise :class:`SystemExit` (128 + signal) when a stop was requested, e.g. between phases,
    in case library code swallowed the exception the handler raised."""
    if _STATE.signum is not None:
        raise SystemExit(128 + _STATE.signum)


@contextmanager
def forced_exit_cleanup(cleanup: Callable[[], None]) -> Iterator[None]:
    """Within the block, the watchdog calls ``cleanup`` (from its own thread) before it ends the
    process, e.g. to close the MLflow run as KILLED."""
    _STATE.cleanups.append(cleanup)
    try:
        yield
    finally:
        _STATE.cleanups.remove(cleanup)


def exit_now(code: int | None = None) -> None:
    """End a stopped process at once with exit ``code`` (None: 128 + signal), skipping the
    interpreter's shutdown; output streams and log handlers are flushed first."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code if code is not None else 128 + (stop_signal() or signal.SIGTERM))
