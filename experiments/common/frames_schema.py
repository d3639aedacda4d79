"""Config schema of ``model.wrapper.frames``, the local frames of the LLoCa models.

The frames section depends on ``model.name`` (only the LLoCa wrappers take it) and on
``frames.kind`` (learned and random frames take different arguments), which the nested-dict schemas
of :mod:`experiments.common.config_schema` cannot express. :func:`lloca_model_section` therefore
gives the whole ``model`` section as one :class:`~experiments.common.config_schema.Key` whose check
walks it with :func:`~experiments.common.config_schema.validate_config` and raises
:class:`~experiments.common.config_schema.ConfigError` naming the offending key, as the walk does
for every other section. Models not named in it keep the free-form ``model.wrapper`` mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from experiments.common.config_schema import (
    DEFAULT_SCHEMA,
    FREE,
    ConfigError,
    Key,
    OptionalSection,
    choice,
    integer,
    mapping,
    real,
    validate_config,
)
from lorentznets.frames import METHODS, REFERENCES, TRANSFORMS

FRAME_KINDS = ("learned", "identity", "random")
"""Frame kinds of :class:`experiments.tagging.wrappers_lloca.LLoCaTaggingWrapper`."""

PREFIX = "model.wrapper.frames."

VECTOR_NET_SCHEMA: dict[str, Any] = {
    "hidden_channels": integer(1),
    "num_layers": integer(1),
    "references": Key(
        (list,),
        "a list of distinct values from " + ", ".join(REFERENCES),
        lambda v: len(set(v)) == len(v) and all(x in REFERENCES for x in v),
    ),
    # optional (EquivariantVectorNet's default 1 GeV; the wrappers pass scaled momenta), never null
    "scale": replace(real(0.0, exclusive_minimum=True), optional=True),
}
"""``frames.vector_net``: :class:`lorentznets.frames.EquivariantVectorNet` arguments the config sets."""

LEARNED_FRAMES_SCHEMA: dict[str, Any] = {
    "kind": choice("learned"),
    "method": choice(*METHODS),
    "vector_net": VECTOR_NET_SCHEMA,
    "eps_mass": real(0.0),
    "gamma_max": real(1.0, exclusive_minimum=True, nullable=True),
    "eps_separation": real(0.0),
}
"""``frames`` with ``kind: learned``: the :class:`lorentznets.frames.LearnedFrames` arguments."""

RANDOM_FRAMES_SCHEMA: dict[str, Any] = {
    "kind": choice("random"),
    "transform": choice(*TRANSFORMS),
    "std_rapidity": real(0.0),
    "max_std": real(0.0),
}
"""``frames`` with ``kind: random``: the :class:`lorentznets.frames.RandomGlobalFrames` arguments."""


def validate_frames(frames: Mapping[str, Any], kinds: tuple[str, ...]) -> None:
    """Check one ``model.wrapper.frames`` section.

    ``kind: identity`` takes no arguments, but may keep (valid) learned-frame settings, so that
    ``model.wrapper.frames.kind=identity`` on the command line switches a LLoCa config to its plain
    backbone; random frames take only their own arguments (the wrapper passes them all on).

    Parameters
    ----------
    frames : Mapping
        The resolved section.
    kinds : tuple of str
        The frame kinds the experiment's wrappers accept (a subset of :data:`FRAME_KINDS`).

    Raises
    ------
    ConfigError
        For the first unknown, missing, mistyped or out-of-range key.
    """
    if "kind" not in frames:
        raise ConfigError(f"config key {PREFIX}kind is missing")
    kind = frames["kind"]
    if kind not in kinds:
        raise ConfigError(
            f"config key {PREFIX}kind={kind!r} ({type(kind).__name__}) is not allowed: expected one of "
            + ", ".join(kinds)
        )
    if kind == "random":
        learned_only = sorted(set(frames) & (set(LEARNED_FRAMES_SCHEMA) - set(RANDOM_FRAMES_SCHEMA)))
        if learned_only:
            raise ConfigError(
                f"config key {PREFIX}{learned_only[0]} is not taken by random frames: their keys are "
                + ", ".join(RANDOM_FRAMES_SCHEMA)
            )
        validate_config(frames, RANDOM_FRAMES_SCHEMA, prefix=PREFIX)
        return
    schema = LEARNED_FRAMES_SCHEMA
    if kind == "identity":
        schema = {"kind": choice("identity")} | {k: v for k, v in schema.items() if k in frames and k != "kind"}
    validate_config(frames, schema, prefix=PREFIX)


def lloca_model_section(kinds_by_model: Mapping[str, tuple[str, ...]]) -> Key:
    """The ``model`` section of an experiment with LLoCa models.

    Parameters
    ----------
    kinds_by_model : Mapping
        LLoCa model name -> the frame kinds its wrapper accepts. For these models
        ``model.wrapper`` may hold only ``frames`` (validated by :func:`validate_frames`; null or
        absent: the wrapper's default learned frames). Other models keep a free-form
        ``model.wrapper`` (their constructors check it; a model the experiment does not offer is
        then refused by name, after the schema).

    Returns
    -------
    Key
        For the experiment schema's ``model`` entry (it replaces the default ``model`` section;
        ``name`` and ``net`` are checked as there).
    """

    def check(model: dict) -> bool:
        name = model.get("name")
        lloca = isinstance(name, str) and name in kinds_by_model
        wrapper = OptionalSection({"frames": FREE}) if lloca else mapping(nullable=True)
        validate_config(model, {**DEFAULT_SCHEMA["model"], "wrapper": wrapper}, prefix="model.")
        frames = (model.get("wrapper") or {}).get("frames")
        if lloca and frames is not None:
            validate_frames(frames, kinds_by_model[name])
        return True

    return Key((dict,), "a model section with the keys name, net, wrapper", check)
