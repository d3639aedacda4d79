"""Building a net from its ``model.net`` config section, with errors that name the key.

Every wrapper builds its net through :func:`build_net`: the section's keys are checked against
the net's constructor (unknown keys, keys the wrapper sets itself, and values whose type does not
match the constructor's type hints), and the constructor's own errors (ranges, e.g.
``dropout=1.5``) are turned into one :class:`~experiments.common.config_schema.ConfigError`, which
names the key where the constructor says which argument it refuses
(:class:`~lorentznets.layers.arguments.ArgumentError`: ``num_blocks=-1``, ``attention.num_heads=0``).
``BaseExperiment.check_config`` builds the wrapper with stand-ins for the data-dependent arguments
(:func:`~experiments.common.model_build.check_model_config`), so that these errors come before
any data is read or generated.
"""

from __future__ import annotations

import collections.abc
import inspect
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from experiments.common.config_schema import ConfigError
from lorentznets.data.readers.errors import error_message

T = TypeVar("T")

PREFIX = "model.net."

# What a constructor raises for a value it cannot build with: besides its own ValueErrors, torch's
# (RuntimeError for a negative layer size) and arithmetic on the value (ZeroDivisionError for zero
# heads). Other exceptions are bugs and keep their traceback.
CONSTRUCTOR_ERRORS = (TypeError, ValueError, KeyError, IndexError, ArithmeticError, RuntimeError)


def build_net(net_class: type[T], config: Mapping[str, Any], *args: Any, **fixed: Any) -> T:
    """``net_class(*args, **fixed, **config)``, with ``config`` checked first.

    Parameters
    ----------
    net_class : type
        The net (an ``nn.Module`` subclass).
    config : Mapping
        The resolved ``model.net`` section.
    *args, **fixed
        The arguments the wrapper sets itself (channel counts from the data, readouts).

    Returns
    -------
    net_class
        The net.

    Raises
    ------
    ConfigError
        Naming ``model.net.<key>`` for an unknown key, a key the wrapper sets, a value of the
        wrong type, or a value the constructor refuses with an
        :class:`~lorentznets.layers.arguments.ArgumentError` for that key; naming the net for its
        constructor's other errors.
    """
    check_net_config(net_class, config, len(args), set(fixed))
    try:
        return net_class(*args, **fixed, **config)
    except CONSTRUCTOR_ERRORS as error:
        raise ConfigError(constructor_error_message(net_class, config, error)) from error


def constructor_error_message(net_class: type, config: Mapping[str, Any], error: BaseException) -> str:
    """One line for ``error`` of ``net_class(**config)``: ``config key model.net.<key> is not accepted
    by <net>: ...`` where the error names an argument the section sets (a field of a nested section
    too: ``attention.num_heads``), else ``config section model.net is not accepted by <net>: ...``."""
    argument = getattr(error, "argument", None)
    subject = "config section model.net"
    if isinstance(argument, str) and argument.split(".")[0] in config:
        subject = f"config key {PREFIX}{argument}"
    message = error_message(error)
    if isinstance(error, (ArithmeticError, IndexError)):  # "division by zero" alone says nothing
        message = f"{type(error).__name__}: {message}"
    return f"{subject} is not accepted by {net_class.__name__}: {message}"


def check_net_config(
    net_class: type, config: Mapping[str, Any], num_positional: int, fixed: set[str], prefix: str = PREFIX
) -> None:
    """Check the keys and value types of ``config`` against ``net_class``'s constructor.

    A constructor taking ``**kwargs`` also takes its base classes' arguments (it passes them on
    with ``super().__init__``); keys that no class in that chain names are left to the
    constructor (it may pass them elsewhere, e.g. PELICAN to its backbone). Hints this check does
    not know (classes other than the builtins) accept any value.

    Parameters
    ----------
    net_class : type
    config : Mapping
        The resolved section (``model.net``, or ``model.wrapper`` for a wrapper).
    num_positional : int
        Leading arguments the caller passes by position (not settable by the config).
    fixed : set of str
        Arguments the caller passes by name (not settable by the config).
    prefix : str
        Of the keys in the errors.

    Raises
    ------
    ConfigError
        For the first key that is unknown, set by the caller, or of the wrong type.
    """
    names, hints, open_ended = _constructor_arguments(net_class)
    taken = fixed | set(names[:num_positional])
    for key, value in config.items():
        if key in taken:
            raise ConfigError(
                f"config key {prefix}{key} is not allowed: the experiment sets {net_class.__name__}'s {key} itself"
            )
        if key not in hints:
            if open_ended:
                continue
            settable = ", ".join(name for name in names if name not in taken) or "no settings"
            raise ConfigError(f"unknown config key {prefix}{key} (misspelt?): {net_class.__name__} takes {settable}")
        hint = hints[key]
        if hint is not None and not matches(value, hint):
            raise ConfigError(
                f"config key {prefix}{key}={value!r} ({type(value).__name__}) is not allowed: "
                f"{net_class.__name__} expects {describe(hint)}"
            )


def _constructor_arguments(cls: type) -> tuple[list[str], dict[str, Any], bool]:
    """Named arguments of ``cls.__init__`` in order (then those of the base classes it passes
    ``**kwargs`` on to), their type hints (None: unannotated), and whether keywords no class
    names are still taken."""
    names: list[str] = []
    hints: dict[str, Any] = {}
    for base in cls.__mro__:
        if base is object or "__init__" not in vars(base):
            continue
        parameters = list(inspect.signature(base.__init__).parameters.values())[1:]
        base_hints = typing.get_type_hints(base.__init__)
        for parameter in parameters:
            variadic = parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
            if not variadic and parameter.name not in hints:
                names.append(parameter.name)
                hints[parameter.name] = base_hints.get(parameter.name)
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            return names, hints, False
    return names, hints, True


def matches(value: Any, hint: Any) -> bool:
    """Whether a config value (plain containers: lists, dicts, scalars) fits a type hint.

    ``int`` values fit ``float``; ``bool`` fits only ``bool``; lists fit sequences and tuples;
    hints other than builtins, unions, literals, sequences, tuples and mappings accept anything.
    """
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if hint is Any:
        return True
    if hint is None or hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(matches(value, argument) for argument in arguments)
    if origin is typing.Literal:
        return value in arguments
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if origin is tuple or hint is tuple:
        if not isinstance(value, (list, tuple)):
            return False
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return all(matches(item, arguments[0]) for item in value)
        if arguments and arguments != ((),):
            return len(value) == len(arguments) and all(map(matches, value, arguments))
        return True
    if origin in (list, collections.abc.Sequence) or hint in (list, collections.abc.Sequence):
        if not isinstance(value, (list, tuple)):
            return False
        return not arguments or all(matches(item, arguments[0]) for item in value)
    if origin in (dict, collections.abc.Mapping) or hint in (dict, collections.abc.Mapping):
        return isinstance(value, Mapping)
    return True


def describe(hint: Any) -> str:
    """A type hint in words for the error message (``int``, ``float or null``, ``list of int``)."""
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if hint is None or hint is type(None):
        return "null"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(argument) for argument in arguments)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(argument) for argument in arguments)
    if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
        return "[" + ", ".join(describe(argument) for argument in arguments) + "]"
    if origin in (tuple, list, collections.abc.Sequence):
        return f"a list of {describe(arguments[0])}" if arguments else "a list"
    if origin in (dict, collections.abc.Mapping) or hint in (dict, collections.abc.Mapping):
        return "a mapping"
    words = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    return words.get(hint, getattr(hint, "__name__", str(hint)))
