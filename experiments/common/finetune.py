"""Fine-tuning: start a training from the weights of a saved model, its head re-initialised when the
task's number of outputs differs.

A model offers fine-tuning by naming its head, the output layer whose shape depends on the task:
an attribute ``head_prefixes`` (tuple of parameter-name prefixes, e.g. ``("net.linear_out.",)``),
as every tagging wrapper has. The learning rates of head and backbone are set by
:func:`experiments.common.optimizers.finetune_parameter_groups`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from experiments.common.checkpoint import check_weights_fit, load_checkpoint
from experiments.common.config_changes import changed_leaves
from experiments.common.run_directory import RunDirectory

__all__ = ["finetune_source", "finetune_state_dict", "load_finetune_weights", "model_head_prefixes"]

LOGGER = logging.getLogger("lorentznets")


def model_head_prefixes(model: nn.Module, what: str) -> tuple[str, ...]:
    """The model's ``head_prefixes``; a :class:`ValueError` naming ``what`` (the model) without them."""
    prefixes = getattr(model, "head_prefixes", None)
    if not prefixes:
        raise ValueError(
            f"training.finetune.from: {what} does not name its head (no head_prefixes), so it cannot be fine-tuned"
        )
    return tuple(prefixes)


def finetune_source(path: str | Path) -> Path:
    """The checkpoint to fine-tune from: ``path`` itself when it is a file (a final model
    ``models/model_run<k>.pt``, ``checkpoints/best.pt`` or ``checkpoints/last.pt``), or the last
    final model of the run folder ``path``.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist or is a folder without final models.
    """
    path = Path(path)
    if path.is_file():
        return path
    if not path.is_dir():
        raise FileNotFoundError(f"training.finetune.from={str(path)!r}: no such run folder or checkpoint file")
    run = RunDirectory(path)
    indices = run.models()
    if not indices:
        raise FileNotFoundError(
            f"training.finetune.from={str(path)!r}: the run folder holds no final model models/model_run<k>.pt "
            "(name a checkpoint file instead, e.g. checkpoints/best.pt)"
        )
    return run.model_path(max(indices))


def finetune_state_dict(
    source: Mapping[str, torch.Tensor], model: nn.Module, prefixes: tuple[str, ...], origin: str
) -> tuple[dict[str, torch.Tensor], list[str]]:
    """The state dict to start fine-tuning ``model`` from: every entry of ``source``, except head
    entries whose shape differs (another number of classes), which keep ``model``'s fresh
    initialisation.

    Parameters
    ----------
    source : mapping of str to torch.Tensor
        State dict of the trained model.
    model : torch.nn.Module
        The freshly built model of this run.
    prefixes : tuple of str
        Parameter-name prefixes of the head.
    origin : str
        The checkpoint file, named in errors.

    Returns
    -------
    state_dict : dict of str to torch.Tensor
        Loads into ``model`` with ``load_state_dict``.
    reinitialised : list of str
        The head entries that kept their fresh initialisation.

    Raises
    ------
    ValueError
        When the backbones differ: a key missing on either side, or a backbone entry of another
        shape; the message names the file, the key and the shapes.
    """
    check_weights_fit(source, model, origin, shapes=False)
    target = model.state_dict()
    state, reinitialised = {}, []
    for key, fresh in target.items():
        trained = source[key]
        if trained.shape == fresh.shape:
            state[key] = trained
        elif key.startswith(prefixes):
            state[key] = fresh
            reinitialised.append(key)
        else:
            raise ValueError(
                f"{origin}: backbone entry {key!r} has shape {tuple(trained.shape)}, this run's model "
                f"{tuple(fresh.shape)} (same model, model.net and inputs needed, e.g. data.use_scalars)"
            )
    return state, reinitialised


def load_finetune_weights(
    path: str | Path, model: nn.Module, what: str, model_config: Mapping[str, Any] | None = None
) -> Path:
    """Load the weights of the trained model at ``path`` (run folder or checkpoint file) into
    ``model`` for fine-tuning; returns the checkpoint file read. Buffers come along, e.g. the
    momentum unit the backbone was trained with (it replaces the one the new data would give).
    Checkpoints load with ``torch.load(weights_only=True)``. With ``model_config`` (this run's
    ``model`` section), a saved model section with other settings is refused: weights of equal
    shapes (e.g. other ``num_heads``) would compute another function
    (:func:`model_setting_changes`)."""
    prefixes = model_head_prefixes(model, what)
    file = finetune_source(path)
    checkpoint = load_checkpoint(file, map_location="cpu")
    if not isinstance(checkpoint, Mapping) or not isinstance(checkpoint.get("model"), Mapping):
        raise ValueError(f"{file}: not a model checkpoint (no 'model' state dict)")
    saved = (checkpoint.get("config") or {}).get("model")
    if model_config is not None and isinstance(saved, Mapping):
        changes = model_setting_changes(saved, model_config)
        if changes:
            raise ValueError(
                f"{file} was trained with other model settings ({'; '.join(changes)}): fine-tuning needs the same "
                "backbone (model and model.net; dropout and execution settings may differ)"
            )
    state, reinitialised = finetune_state_dict(checkpoint["model"], model, prefixes, str(file))
    model.load_state_dict(state)
    if reinitialised:
        LOGGER.info("fine-tuning from %s; head re-initialised (other output size): %s", file, ", ".join(reinitialised))
    else:
        LOGGER.info("fine-tuning from %s (all weights, head included)", file)
    return file


_EXECUTION_SETTINGS = frozenset(
    {"dropout", "dropout_prob", "attn_dropout", "activation_dropout", "checkpoint_blocks", "backend", "pack_padded"}
)
"""Model settings that change how a net runs or regularises, not the function it computes."""

_WIDTH_DROPOUT_LISTS = frozenset({"fc_params"})
"""Settings of ``[[width, dropout], ...]`` pairs (ParT, ParticleNet): only the widths count."""


def model_setting_changes(saved: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """``"model.<key>: <saved> -> <current>"`` for each setting both ``model`` sections have and
    that differs (:func:`~experiments.common.config_changes.changed_leaves`), leaving out
    :data:`_EXECUTION_SETTINGS` and the dropout rates of :data:`_WIDTH_DROPOUT_LISTS`."""
    changes = changed_leaves({"model": saved}, {"model": current}, ("model",))
    return [
        f"{key}: {before!r} -> {after!r}"
        for key, before, after in changes
        if key.rsplit(".", 1)[-1] not in _EXECUTION_SETTINGS
        and not (key.rsplit(".", 1)[-1] in _WIDTH_DROPOUT_LISTS and _widths(before) == _widths(after))
    ]


def _widths(pairs: Any) -> Any:
    """The widths of ``[[width, dropout], ...]``; other values as they are."""
    if isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 for p in pairs):
        return [p[0] for p in pairs]
    return pairs
