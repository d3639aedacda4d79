"""The trainer's state: exactly what ``checkpoints/last.pt`` stores."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

HISTORY_KEYS = ("train_step", "train_loss", "lr", "val_step", "val_loss")
ADDED_FIELDS = frozenset({"train_stream", "rng_ranks", "settings"})
"""Fields added after the first checkpoint format, optional in a checkpoint."""


def empty_history() -> dict[str, list[float]]:
    """Training curves with no entries: ``{key: []}`` for every key in :data:`HISTORY_KEYS`."""
    return {key: [] for key in HISTORY_KEYS}


@dataclass
class TrainerState:
    """Everything needed to continue a training exactly where it stopped.

    Every field is a tensor or plain data (numbers, strings, lists, dicts of these), so the
    checkpoint loads with ``torch.load(weights_only=True)``.

    Attributes
    ----------
    step : int
        Optimizer steps taken.
    best_val_loss : float
        Lowest validation loss so far (``inf`` before the first validation).
    validations_without_improvement : int
        Early-stopping counter.
    history : dict of str to list of float
        Training curves (keys :data:`HISTORY_KEYS`).
    mlflow_run_id : str or None
        MLflow run that a resumed training continues.
    world_size : int
        DDP processes that wrote the state.
    model, optimizer, scheduler : dict
        State dicts of the unwrapped model, optimizer and learning-rate scheduler.
    ema : dict or None
        State of the exponential moving average of the weights, None without EMA.
    rng : dict
        Generator states from :func:`experiments.common.seeding.get_rng_state` (of rank 0).
    rng_ranks : list of dict
        Under DDP, every rank's generator states, by rank (empty in one process): each rank
        draws its own dropout masks, noise and random frames, and continues its own stream.
    train_stream : dict
        Position of a streamed training split (``state_dict`` of
        :class:`lorentznets.data.readers.stream.JetStream`); empty for data held in memory.
    settings : dict
        The resolved ``training``, ``data``, ``model`` and ``seed`` settings of the training that
        wrote it, which ``resume=true`` must match (empty in checkpoints written before
        2026-12-07: the run folder's ``config.yaml`` is compared then).
    """

    step: int = 0
    best_val_loss: float = math.inf
    validations_without_improvement: int = 0
    history: dict[str, list[float]] = field(default_factory=empty_history)
    mlflow_run_id: str | None = None
    world_size: int = 1
    model: dict[str, Any] = field(default_factory=dict)
    optimizer: dict[str, Any] = field(default_factory=dict)
    scheduler: dict[str, Any] = field(default_factory=dict)
    ema: dict[str, Any] | None = None
    rng: dict[str, Any] = field(default_factory=dict)
    rng_ranks: list[dict[str, Any]] = field(default_factory=list)
    train_stream: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The checkpoint payload: one entry per field (shallow, no copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, payload: dict[str, Any], source: str) -> TrainerState:
        """Rebuild a state from :meth:`to_dict`'s payload.

        Checkpoints written before a field in :data:`ADDED_FIELDS` existed load with its default.

        Raises
        ------
        ValueError
            If ``payload`` lacks fields or has unknown ones; the message names ``source``.
        """
        names = {f.name for f in fields(cls)}
        if not isinstance(payload, dict) or not names - ADDED_FIELDS <= set(payload) <= names:
            have = sorted(payload) if isinstance(payload, dict) else type(payload).__name__
            raise ValueError(
                f"{source} is not a training checkpoint of this version: expected keys {sorted(names)}, got {have}"
            )
        return cls(**payload)
