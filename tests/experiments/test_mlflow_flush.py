"""A flush sends every buffered metric, however many, into the real MLflow SQLite database; a run id
the database lacks starts a new run."""

import sqlite3

import pytest

from experiments.common.mlflow_logger import MlflowLogger


@pytest.fixture(autouse=True)
def _clean_mlflow_environment(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


def test_flush_sends_all_of_more_than_a_thousand_metrics(tmp_path):
    database = tmp_path / "mlflow.db"
    logger = MlflowLogger(True, f"sqlite:///{database}", "flush", "r")
    steps = 1300  # 2600 metrics: more than one log_batch call (1000 each) can take
    for step in range(steps):
        logger.log_metrics({"loss": 1.0 / (step + 1), "lr": 1e-3}, step)
    logger.flush()
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT key, COUNT(*), MIN(step), MAX(step) FROM metrics WHERE run_uuid = ? GROUP BY key ORDER BY key",
            (logger.run_id,),
        ).fetchall()
        last_loss = connection.execute(
            "SELECT value FROM metrics WHERE run_uuid = ? AND key = 'loss' AND step = ?", (logger.run_id, steps - 1)
        ).fetchone()
    assert rows == [("loss", steps, 0, steps - 1), ("lr", steps, 0, steps - 1)]
    assert last_loss == (pytest.approx(1.0 / steps),)
    # The buffer is empty afterwards: a second flush sends nothing again.
    logger.flush()
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM metrics").fetchone() == (2 * steps,)
    logger.finish()


def test_a_run_id_the_database_lacks_starts_a_new_run(tmp_path, caplog):
    """A resumed training whose run folder was moved away from its database: a new run, not an
    MLflow 'Run ... not found' traceback; a run the database holds is continued."""
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    first = MlflowLogger(True, uri, "moved", "r")
    assert first.started
    first.finish("KILLED")
    continued = MlflowLogger(True, uri, "moved", "r", run_id=first.run_id)
    assert (continued.run_id, continued.started) == (first.run_id, False)
    replaced = MlflowLogger(True, uri, "moved", "r", run_id="0" * 32)
    assert replaced.started and replaced.run_id not in (None, first.run_id)
    assert f"MLflow run {'0' * 32} of this training is not in {uri}" in caplog.text
