"""How a job of a Hydra sweep (``run.py -m``) reports bad input."""

from __future__ import annotations


class JobFailed(RuntimeError):
    """Bad input in one job of a sweep: Hydra records the job as failed and the sweep goes on
    (raised by ``run.py`` where a single run would exit with code 2; an Optuna study of
    ``hydra/sweeper=optuna_study`` that it stops ends in one line)."""
