"""Which settings of a saved model define the function its weights compute, and whether a run changes them.

A warm start (``warm_start_idx``), a fine-tuning (``training.finetune.from``) and a resume
(``resume=true``) load saved weights into a model built from this run's config. Settings that give
weights of the same shapes but another function (``model.net.num_heads``, tagging's
``data.features``, ParT's ``pair_bias_activation``) must then be those of the saved model. Dropout
rates and execution settings may differ.

Settings added to the configs after a model was saved are missing from its config. Comparing only
the keys both configs have would let a run change them unnoticed; :data:`ADDED_MODEL_SETTINGS` and
:data:`ADDED_SETTINGS` give the value that models saved before each key existed computed with, and
:func:`with_added_settings` fills them in before comparing. A config that lacks them (a run
folder's ``config.yaml`` reloaded with ``-cp``) builds the net with those values too: they are the
constructors' defaults (a test checks it).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from experiments.common.config_changes import changed_leaves

__all__ = [
    "ADDED_MODEL_SETTINGS",
    "ADDED_SETTINGS",
    "function_changes",
    "model_setting_changes",
    "saved_settings",
    "with_added_settings",
]

_LLOCA_FRAMES = {
    "model.wrapper.frames.eps_mass": 0.0,
    "model.wrapper.frames.eps_separation": 0.0,
    "model.wrapper.frames.gamma_max": None,
}

ADDED_MODEL_SETTINGS: dict[str, dict[str, Any]] = {
    "gatr": {"model.net.attention.head_scale": False},
    "lgn": {"model.net.aggregation": "sum"},
    "lloca_part": _LLOCA_FRAMES,
    "lloca_particlenet": _LLOCA_FRAMES,
    "lloca_transformer": _LLOCA_FRAMES,
    "part": {"model.net.pair_bias_activation": False},
    "particlenet": {"model.net.use_fusion": True},
}
"""Per ``model.name``: dotted keys added to its config after models were saved, with the value
those models computed with."""

ADDED_SETTINGS: dict[str, Any] = {"data.features": "lorentznets", "data.constituent_mass": "pdg"}
"""Dotted keys outside ``model`` added after models were saved, with the value those models
computed with (the experiment declares which define its function:
:attr:`~experiments.base_experiment.BaseExperiment.function_settings`)."""

_EXECUTION_SETTINGS = frozenset(
    {"dropout", "dropout_prob", "attn_dropout", "activation_dropout", "checkpoint_blocks", "backend", "pack_padded"}
)
"""Model settings that change how a net runs or regularises, not the function it computes."""

_WIDTH_DROPOUT_LISTS = frozenset({"fc_params"})
"""Settings of ``[[width, dropout], ...]`` pairs (ParT, ParticleNet): only the widths count."""

_MISSING = object()


def saved_settings(checkpoint: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The resolved settings a checkpoint's weights were trained with: a final model's ``config``,
    the training's ``settings`` of ``checkpoints/last.pt`` and ``checkpoints/best.pt``, or None
    for a file that does not say (written before they were saved)."""
    for key in ("config", "settings"):
        value = checkpoint.get(key)
        if isinstance(value, Mapping) and value:
            return value
    return None


def with_added_settings(saved: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the saved config ``saved`` in which each setting of :data:`ADDED_SETTINGS` and of
    the saved model's :data:`ADDED_MODEL_SETTINGS` that ``current`` has and ``saved`` lacks holds
    the value models saved before the key existed computed with.

    Examples
    --------
    >>> saved = {"model": {"name": "part", "net": {"num_heads": 8}}}
    >>> current = {"model": {"name": "part", "net": {"num_heads": 8, "pair_bias_activation": True}}}
    >>> with_added_settings(saved, current)["model"]["net"]
    {'num_heads': 8, 'pair_bias_activation': False}
    """
    filled = copy.deepcopy(dict(saved))
    model = saved.get("model")
    name = model.get("name") if isinstance(model, Mapping) else None
    for key, value in {**ADDED_SETTINGS, **ADDED_MODEL_SETTINGS.get(name, {})}.items():
        if _lookup(current, key) is not _MISSING and _lookup(filled, key) is _MISSING:
            _set(filled, key, value)
    return filled


def function_changes(saved: Mapping[str, Any], current: Mapping[str, Any], keys: tuple[str, ...] = ()) -> list[str]:
    """``"<dotted key>: <saved> -> <current>"`` for each setting of the saved model's function that
    this run changes: the ``model`` section (:func:`model_setting_changes`) and the dotted ``keys``
    outside it (e.g. ``("data.features",)``), after :func:`with_added_settings`. A key either
    config lacks is not compared.

    Parameters
    ----------
    saved : mapping
        The saved model's resolved config (:func:`saved_settings`).
    current : mapping
        This run's resolved config.
    keys : tuple of str
        Dotted keys outside ``model`` that are part of the model's function.
    """
    saved = with_added_settings(saved, current)
    changes = []
    if isinstance(saved.get("model"), Mapping) and isinstance(current.get("model"), Mapping):
        changes = model_setting_changes(saved["model"], current["model"])
    for key in keys:
        before, after = _lookup(saved, key), _lookup(current, key)
        if before is not _MISSING and after is not _MISSING and before != after:
            changes.append(f"{key}: {before!r} -> {after!r}")
    return changes


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


def _lookup(config: Mapping[str, Any], key: str) -> Any:
    """The value at the dotted ``key``, or ``_MISSING``."""
    value: Any = config
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _set(config: dict[str, Any], key: str, value: Any) -> None:
    """Set the dotted ``key`` where its parent section exists (a config without the section is left as is)."""
    *parents, last = key.split(".")
    section: Any = config
    for part in parents:
        if not isinstance(section, dict) or not isinstance(section.get(part), Mapping):
            return
        section[part] = dict(section[part])
        section = section[part]
    section[last] = value
