"""MLflow tracking with a local SQLite default and retries on a locked database.

Tracking URI, in order of precedence: the config key ``mlflow.tracking_uri``, the environment
variable ``MLFLOW_TRACKING_URI``, then ``sqlite:///<base_dir>/runs/tracking/mlflow.db``.
With the SQLite default, artifacts go to ``runs/tracking/artifacts``; browse everything with
``mlflow ui --backend-store-uri sqlite:///runs/tracking/mlflow.db``.

Concurrent runs (Hydra multirun with a parallel launcher, several jobs on one machine) share the
SQLite file: its creation (MLflow's schema migrations, which race when two processes run them)
happens under an exclusive file lock, and every call is retried with exponential backoff when
the database is locked.
At cluster scale, where many jobs write at once or the jobs' nodes share no file system, a
tracking server (``mlflow server`` with a database backend, ``mlflow.tracking_uri=http://...``)
replaces the SQLite file (docs/running.md, MLflow tracking server).
Metrics are buffered and sent in batches to keep the training loop fast. A new run started by a
job of a Hydra sweep is tagged with its place in the sweep (:func:`~experiments.common.sweep_tags.sweep_tags`).
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from experiments.common.sweep_tags import sweep_tags

LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

_RETRYABLE = ("locked", "busy", "unique constraint", "already exists", "database is")
_PARAM_VALUE_LIMIT = 500
_BATCH_LIMIT = 100


def default_tracking_uri(base_dir: str | os.PathLike) -> str:
    """SQLite URI of the project-wide tracking database under ``base_dir``."""
    path = Path(base_dir).resolve() / "runs" / "tracking" / "mlflow.db"
    return f"sqlite:///{path}"


def resolve_tracking_uri(configured: str | None, base_dir: str | os.PathLike) -> str:
    """Pick the tracking URI: config key, then ``MLFLOW_TRACKING_URI``, then the default."""
    return configured or os.environ.get("MLFLOW_TRACKING_URI") or default_tracking_uri(base_dir)


def with_retries(fn: Callable[[], T], attempts: int = 8, base_delay: float = 0.2) -> T:
    """Call ``fn``, retrying with jittered exponential backoff on database-contention errors."""
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as error:  # MLflow wraps SQLAlchemy errors in several exception types
            message = str(error).lower()
            if attempt == attempts - 1 or not any(key in message for key in _RETRYABLE):
                raise
            delay = base_delay * 2**attempt * (1 + random.random())
            LOGGER.warning("MLflow busy (%s); retrying in %.1f s", error.__class__.__name__, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (no-op where ``fcntl`` is missing)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; rely on the retries
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def flatten_config(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested mappings to ``{"a.b.c": "value"}`` with string values.

    Lists are kept as their string form; values are truncated to MLflow's safe length.
    """
    flat: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_config(value, prefix=f"{name}."))
        else:
            flat[name] = str(value)[:_PARAM_VALUE_LIMIT]
    return flat


class MlflowLogger:
    """One MLflow run; every method is a no-op when ``enabled`` is False.

    Parameters
    ----------
    enabled : bool
        False on non-main ranks and with ``use_mlflow=false``.
    tracking_uri : str
        MLflow tracking URI (see module docstring).
    experiment_name : str
        MLflow experiment, created if needed.
    run_name : str
        Display name of the run.
    run_id : str or None
        Existing run to continue (resumed training, re-evaluation); None starts a new run, tagged
        with :func:`~experiments.common.sweep_tags.sweep_tags` when a sweep job starts it. A run
        the tracking store does not hold (a run folder moved away from its database) is replaced
        by a new one, with a warning (:attr:`started`).
    """

    def __init__(
        self,
        enabled: bool,
        tracking_uri: str,
        experiment_name: str,
        run_name: str,
        run_id: str | None = None,
    ) -> None:
        self.enabled = enabled
        self.tracking_uri = tracking_uri
        self.run_id: str | None = None
        self.started = run_id is None
        """Whether this logger started a new MLflow run (no ``run_id``, or one the store lacks)."""
        self._buffer: list[Any] = []
        self._infinite: dict[str, str] = {}
        if not enabled:
            return
        from mlflow.tracking import MlflowClient

        logging.getLogger("alembic").setLevel(logging.WARNING)
        lock: AbstractContextManager = nullcontext()
        if tracking_uri.startswith("sqlite:///"):
            lock = _exclusive_lock(Path(tracking_uri[len("sqlite:///") :] + ".lock"))
        with lock:
            self.client = with_retries(lambda: MlflowClient(tracking_uri=tracking_uri))
            experiment_id = with_retries(lambda: self._experiment_id(experiment_name))
        if run_id is None:
            tags = sweep_tags()
            run = with_retries(lambda: self.client.create_run(experiment_id, run_name=run_name, tags=tags))
            self.run_id = run.info.run_id
        elif not with_retries(lambda: self._has_run(run_id)):
            # a run folder moved away from its database, or another mlflow.tracking_uri
            LOGGER.warning(
                "MLflow run %s of this training is not in %s: its curves continue in a new MLflow run (the earlier "
                "steps stay in the database the run folder came from)",
                run_id,
                tracking_uri,
            )
            self.started = True
            run = with_retries(lambda: self.client.create_run(experiment_id, run_name=run_name, tags=sweep_tags()))
            self.run_id = run.info.run_id
        else:
            self.started = False
            self.run_id = run_id
            with_retries(lambda: self.client.update_run(run_id, status="RUNNING"))

    def _has_run(self, run_id: str) -> bool:
        """Whether the tracking store holds the run ``run_id``."""
        from mlflow.exceptions import MlflowException

        try:
            self.client.get_run(run_id)
        except MlflowException as error:
            if error.error_code == "RESOURCE_DOES_NOT_EXIST":
                return False
            raise
        return True

    def _experiment_id(self, name: str) -> str:
        experiment = self.client.get_experiment_by_name(name)
        if experiment is not None:
            return experiment.experiment_id
        artifact_location = None
        if self.tracking_uri.startswith("sqlite:///"):
            db_path = Path(self.tracking_uri[len("sqlite:///") :])
            artifact_location = (db_path.parent / "artifacts").resolve().as_uri()
        return self.client.create_experiment(name, artifact_location=artifact_location)

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log parameters (e.g. the flattened config); existing keys are skipped."""
        if not self.enabled:
            return
        from mlflow.entities import Param

        existing = with_retries(lambda: self.client.get_run(self.run_id).data.params)
        items = [Param(k[:250], str(v)) for k, v in params.items() if k[:250] not in existing]
        for start in range(0, len(items), _BATCH_LIMIT):
            chunk = items[start : start + _BATCH_LIMIT]
            with_retries(lambda chunk=chunk: self.client.log_batch(self.run_id, params=chunk))

    def log_metrics(self, metrics: Mapping[str, float], step: int, skip_logged: bool = False) -> None:
        """Buffer metrics for ``step``; they are sent by :meth:`flush`. With ``skip_logged``, a
        metric whose latest logged value is the same number is left out (a finished training's
        evaluation repeated by ``resume=true`` would log every point a second time).

        MLflow's SQL store clamps +-inf to +-1.8e308, which an average over runs or a sweeper would
        take for a number: an infinite value (the rejection of a tagger that no background jet
        passes) is sent as the tag ``nonfinite.<name>`` = ``"inf at step <step>"`` instead (its last
        occurrence), as the evaluation JSON writes it. NaN is stored as NaN.
        """
        if not self.enabled:
            return
        from mlflow.entities import Metric

        timestamp = int(time.time() * 1000)
        values = {k: float(v) for k, v in metrics.items()}
        if skip_logged:
            logged = with_retries(lambda: self.client.get_run(self.run_id).data.metrics)
            values = {k: v for k, v in values.items() if k not in logged or logged[k] != v}
        self._buffer += [Metric(k, v, timestamp, step) for k, v in values.items() if not math.isinf(v)]
        self._infinite.update({k: f"{v} at step {step}" for k, v in values.items() if math.isinf(v)})

    def flush(self) -> None:
        """Send the buffered metrics."""
        if not self.enabled:
            return
        for start in range(0, len(self._buffer), 10 * _BATCH_LIMIT):
            chunk = self._buffer[start : start + 10 * _BATCH_LIMIT]
            with_retries(lambda chunk=chunk: self.client.log_batch(self.run_id, metrics=chunk))
        for key, value in self._infinite.items():
            self.set_tag(f"nonfinite.{key}", value)
        self._buffer, self._infinite = [], {}

    def log_artifact(self, path: str | os.PathLike, artifact_path: str | None = None) -> None:
        """Upload a file into the run's artifact store (sub-folder ``artifact_path``)."""
        if not self.enabled:
            return
        with_retries(lambda: self.client.log_artifact(self.run_id, str(path), artifact_path))

    def set_tag(self, key: str, value: str) -> None:
        """Attach a tag to the run."""
        if self.enabled:
            with_retries(lambda: self.client.set_tag(self.run_id, key, value))

    def finish(self, status: str = "FINISHED") -> None:
        """Mark the run terminated with ``status``; flush buffered metrics only when FINISHED.

        Metrics buffered when a run stops early were recorded after its last checkpoint
        (:class:`~experiments.common.trainer.Trainer` flushes right after each one); a resumed
        run records those steps again, so they are dropped here rather than logged twice.
        """
        if not self.enabled:
            return
        if status == "FINISHED":
            self.flush()
        self._buffer = []
        with_retries(lambda: self.client.set_terminated(self.run_id, status=status))
