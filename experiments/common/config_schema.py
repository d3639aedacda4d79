"""The typed config schema, checked before any work starts.

A schema is a nested dict mirroring the config: leaves are :class:`Key` specs (type, range or
allowed values, nullability), inner dicts are sections whose keys must match exactly, and
:data:`FREE` marks a section whose keys belong to someone else (a net's hyperparameters, checked
against the net's constructor by :mod:`experiments.common.net_config` when
``BaseExperiment.check_config`` builds the model). :func:`validate_config` walks a config against a schema and
raises :class:`ConfigError` for the first problem, in one line naming the key, the value and
what is allowed; ``run.py`` prints it and exits with code 2 before data is loaded or generated.

:data:`DEFAULT_SCHEMA` covers ``config/default.yaml``; each experiment class adds its own
sections through its ``config_schema`` attribute (merged over the default with
:func:`merge_schemas`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any


class ConfigError(ValueError):
    """A config value that is missing, misspelt, of the wrong type or out of range."""


@dataclass(frozen=True)
class Key:
    """Spec of one config value.

    Attributes
    ----------
    types : tuple of type
        Accepted Python types (``int`` values are accepted where ``float`` is).
    allowed : str
        What is allowed, in words (shown in the error).
    check : callable or None
        Extra predicate on the (non-null) value.
    nullable : bool
        Whether ``null`` is allowed (a nullable key may also be absent).
    optional : bool
        Whether the key may be absent (and then never ``null`` unless also ``nullable``).
    """

    types: tuple[type, ...]
    allowed: str
    check: Callable[[Any], bool] | None = None
    nullable: bool = False
    optional: bool = False


FREE = "free-form section"


@dataclass(frozen=True)
class OptionalSection:
    """A section that may also be ``null`` (e.g. ``data.generate: null``: never generate)."""

    schema: Mapping[str, Any]


def integer(minimum: int | None = None, nullable: bool = False, maximum: int | None = None) -> Key:
    """An integer in ``[minimum, maximum]``."""
    bounds = [f">= {minimum}" if minimum is not None else "", f"<= {maximum}" if maximum is not None else ""]
    words = "an integer" + (" " + " and ".join(b for b in bounds if b) if any(bounds) else "")
    return Key(
        (int,),
        words,
        lambda v: (minimum is None or v >= minimum) and (maximum is None or v <= maximum),
        nullable,
    )


MAX_CONFIG_SEED = 2**32 - 1
"""Largest ``seed``, ``data.split_seed`` and ``data.generate.seed`` (torch takes seeds below 2**64,
and ranks add multiples of 1000003 to ``seed``)."""


def seed() -> Key:
    """A seed: an integer in ``[0, MAX_CONFIG_SEED]``."""
    return integer(0, maximum=MAX_CONFIG_SEED)


def real(
    minimum: float | None = None,
    nullable: bool = False,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    exclusive_maximum: bool = False,
) -> Key:
    """A finite number in ``[minimum, maximum]``, either end open with ``exclusive_minimum`` or
    ``exclusive_maximum``."""
    low = "" if minimum is None else (f"> {minimum}" if exclusive_minimum else f">= {minimum}")
    high = "" if maximum is None else (f"< {maximum}" if exclusive_maximum else f"<= {maximum}")
    words = "a finite number" + (" " + " and ".join(b for b in (low, high) if b) if low or high else "")

    def check(value: float) -> bool:
        if not math.isfinite(value):
            return False
        if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
            return False
        return maximum is None or (value < maximum if exclusive_maximum else value <= maximum)

    return Key((int, float), words, check, nullable)


def choice(*values: str, nullable: bool = False) -> Key:
    """One of the given strings."""
    return Key((str,), "one of " + ", ".join(values), lambda v: v in values, nullable)


def boolean() -> Key:
    """true or false."""
    return Key((bool,), "true or false")


def string(nullable: bool = False, pattern: str | None = None, allowed: str = "a string") -> Key:
    """A string (matching ``pattern`` when given)."""
    return Key((str,), allowed, (lambda v: re.fullmatch(pattern, v) is not None) if pattern else None, nullable)


def fractions(count: int) -> Key:
    """``count`` non-negative numbers summing to 1 (split fractions)."""

    def check(value: list) -> bool:
        return (
            len(value) == count
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0 for v in value)
            and abs(sum(value) - 1.0) < 1e-6
            and value[0] > 0
        )

    return Key((list,), f"a list of {count} non-negative fractions summing to 1 with a non-empty first split", check)


def split_files() -> Key:
    """``data.files``: a mapping with the keys train, val, test (file names or patterns), or null."""
    return Key((dict,), "a mapping with the keys train, val, test", lambda v: set(v) == {"train", "val", "test"}, True)


def string_list(nullable: bool = False, non_empty: bool = False) -> Key:
    """A list of strings."""
    return Key(
        (list,),
        "a non-empty list of strings" if non_empty else "a list of strings",
        lambda v: all(isinstance(x, str) for x in v) and (len(v) > 0 or not non_empty),
        nullable,
    )


def subset_list(*values: str, nullable: bool = False) -> Key:
    """A non-empty list of distinct strings, each one of ``values``."""
    return Key(
        (list,),
        "a non-empty list of distinct values from " + ", ".join(values),
        lambda v: len(v) > 0 and len(set(v)) == len(v) and all(x in values for x in v),
        nullable,
    )


def mapping(nullable: bool = False) -> Key:
    """Any mapping (checked by its user)."""
    return Key((dict,), "a mapping", None, nullable)


def any_value() -> Key:
    """Anything (checked by its user)."""
    return Key((object,), "any value", None, True)


def _safe_run_name(value: str) -> bool:
    path = PurePath(value)
    return bool(value) and not path.is_absolute() and ".." not in path.parts and len(path.parts) == 1


OPTIMIZER_SCHEMA = {
    "name": choice("adam", "adamw", "lion"),
    "lr": real(0.0, exclusive_minimum=True),
    "weight_decay": real(0.0),
    "betas": Key(
        (list,),
        "a list of two numbers in [0, 1)",
        lambda v: len(v) == 2 and all(isinstance(x, (int, float)) and 0 <= x < 1 for x in v),
        nullable=True,
    ),
}

SCHEDULER_SCHEMA = {
    "name": choice("constant", "cosine", "cosine_restarts", "onecycle", "plateau"),
    "min_lr_factor": real(0.0, maximum=1.0),
    "warmup_fraction": real(0.0, maximum=1.0, exclusive_minimum=True),
    "plateau_factor": real(0.0, maximum=1.0, exclusive_minimum=True),
    "plateau_patience": integer(0),
    "restart_steps": integer(1, nullable=True),
    "restart_mult": integer(1),
    "warmup_steps": integer(0),
}

TRAINING_SCHEMA = {
    "iterations": integer(1),
    "batchsize": integer(1),
    "validate_every": integer(1),
    "log_every": integer(1),
    "max_val_batches": integer(1, nullable=True),
    "optimizer": OPTIMIZER_SCHEMA,
    "scheduler": SCHEDULER_SCHEMA,
    "clip_grad_norm": real(0.0, nullable=True, exclusive_minimum=True),
    "ema_decay": real(0.0, nullable=True, maximum=1.0, exclusive_minimum=True, exclusive_maximum=True),
    "early_stopping_patience": integer(1, nullable=True),
    "restore_best": boolean(),
    "bf16": boolean(),
    "compile": boolean(),
    "num_workers": integer(0),
    "finetune": {
        "from": string(nullable=True),
        "backbone_lr_factor": real(0.0),
        "head_lr": real(0.0, nullable=True, exclusive_minimum=True),
    },
}

DEFAULT_SCHEMA: dict[str, Any] = {
    "experiment": string(allowed="a registered experiment name or 'module:Class'"),
    "exp_name": string(
        pattern=r"(?!\.{1,2}$)[A-Za-z0-9_.\-]+", allowed="a folder name (letters, digits, _ . -; not '.' or '..')"
    ),
    "run_name": Key((str,), "a single folder name (no '/', no '..', not absolute)", _safe_run_name, nullable=True),
    "base_dir": string(),
    "seed": seed(),
    "device": choice("auto", "cpu", "cuda"),
    "num_threads": Key(
        (int, str), "a positive integer or 'auto'", lambda v: v == "auto" or (isinstance(v, int) and v >= 1)
    ),
    "train": boolean(),
    "evaluate": boolean(),
    "plot": boolean(),
    "resume": boolean(),
    "warm_start_idx": integer(0, nullable=True),
    "use_mlflow": boolean(),
    "progress": boolean(),
    "objective": string(nullable=True),
    "mlflow": {
        "tracking_uri": string(nullable=True),
        "experiment_name": string(pattern=r"(?s).*\S.*", allowed="a non-empty name"),
        "log_checkpoint": boolean(),
        "log_model": boolean(),
    },
    "training": TRAINING_SCHEMA,
    "evaluation": {"batchsize": integer(1), "splits": subset_list("train", "val", "test", nullable=True)},
    "predict": {"files": string_list(), "output": string(nullable=True)},
    "export": {"onnx": boolean()},
    "model": {"name": string(), "net": FREE, "wrapper": FREE},
}

GENERATE_SCHEMA = OptionalSection(
    {
        "dataset": string(),
        "n": integer(1),
        "seed": seed(),
        "workers": integer(1, nullable=True),
        "args": string_list(),
    }
)
"""The one generate-if-missing block (``data.generate``) of the experiments that read generated files."""


def merge_schemas(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``extra``'s sections added; nested sections are merged key by key."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_schemas(merged[key], value)
        else:
            merged[key] = value
    return merged


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_leaf(path: str, value: Any, spec: Key) -> None:
    if value is None:
        if not spec.nullable:
            raise ConfigError(f"config key {path}=null is not allowed: expected {spec.allowed}")
        return
    accepted = isinstance(value, spec.types) and not (isinstance(value, bool) and bool not in spec.types)
    if not accepted or (spec.check is not None and not spec.check(value)):
        raise ConfigError(
            f"config key {path}={value!r} ({_type_name(value)}) is not allowed: expected {spec.allowed}"
            + (" or null" if spec.nullable else "")
        )


def validate_config(config: Mapping[str, Any], schema: Mapping[str, Any], prefix: str = "") -> None:
    """Check a resolved config (plain containers) against ``schema``.

    Parameters
    ----------
    config : Mapping
        ``OmegaConf.to_container(cfg, resolve=True)`` without the ``hydra`` section.
    schema : Mapping
        Nested dict of :class:`Key` specs, sub-schemas and :data:`FREE`.

    Raises
    ------
    ConfigError
        For the first unknown, missing, mistyped or out-of-range key.
    """
    unknown = sorted(set(config) - set(schema))
    if unknown:
        known = ", ".join(sorted(schema))
        section = prefix.rstrip(".") or "the config"
        raise ConfigError(f"unknown config key {prefix}{unknown[0]} (misspelt?); keys of {section}: {known}")
    for key, spec in schema.items():
        path = f"{prefix}{key}"
        if key not in config:
            if isinstance(spec, Key) and (spec.nullable or spec.optional):
                continue
            if spec is FREE or isinstance(spec, OptionalSection):
                continue
            raise ConfigError(f"config key {path} is missing")
        value = config[key]
        if isinstance(spec, OptionalSection):
            if value is None:
                continue
            spec = spec.schema
        if spec is FREE:
            if value is not None and not isinstance(value, Mapping):
                raise ConfigError(f"config key {path}={value!r} is not allowed: expected a mapping")
        elif isinstance(spec, Mapping):
            if value is None or not isinstance(value, Mapping):
                raise ConfigError(
                    f"config key {path}={value!r} is not allowed: expected a section with keys {sorted(spec)}"
                )
            validate_config(value, spec, prefix=f"{path}.")
        else:
            _check_leaf(path, value, spec)
