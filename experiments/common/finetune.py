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
from experiments.common.run_directory import RunDirectory

__all__ = [
    "finetune_source",
    "finetune_state_dict",
    "load_finetune_weights",
    "model_head_prefixes",
    "read_finetune_source",
]

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


def read_finetune_source(path: str | Path) -> tuple[Path, Mapping[str, Any]]:
    """The checkpoint to fine-tune from (:func:`finetune_source`) and its contents on the CPU, read
    with ``torch.load(weights_only=True)``.

    Raises
    ------
    FileNotFoundError
        No such run folder or checkpoint file, or a run folder without final models.
    CheckpointError
        The file cannot be read safely.
    ValueError
        The file holds no ``model`` state dict.
    """
    file = finetune_source(path)
    checkpoint = load_checkpoint(file, map_location="cpu")
    if not isinstance(checkpoint, Mapping) or not isinstance(checkpoint.get("model"), Mapping):
        raise ValueError(f"{file}: not a model checkpoint (no 'model' state dict)")
    return file, checkpoint


def load_finetune_weights(checkpoint: Mapping[str, Any], file: Path, model: nn.Module, what: str) -> None:
    """Load the weights of a trained model's ``checkpoint`` (read from ``file`` by
    :func:`read_finetune_source`) into ``model`` for fine-tuning, its head re-initialised when its
    shape differs. Buffers come along, e.g. the momentum unit the backbone was trained with (it
    replaces the one the new data would give). The settings that define the model's function are
    compared before, with the config (:func:`~experiments.common.model_function.function_changes`).

    Raises
    ------
    ValueError
        When ``model`` names no head, or the backbones differ (the message names ``file``).
    """
    prefixes = model_head_prefixes(model, what)
    state, reinitialised = finetune_state_dict(checkpoint["model"], model, prefixes, str(file))
    model.load_state_dict(state)
    if reinitialised:
        LOGGER.info("fine-tuning from %s; head re-initialised (other output size): %s", file, ", ".join(reinitialised))
    else:
        LOGGER.info("fine-tuning from %s (all weights, head included)", file)
