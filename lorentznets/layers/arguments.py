"""Range checks of constructor arguments, raising :class:`ArgumentError` (a ``ValueError`` that names
the argument).

A net checks its sizes, ratios and choices in its constructor, so that a zero or negative width,
depth or head count is refused at once instead of building a degenerate net (no blocks, empty
layers) that trains, or one that fails only in ``forward``. The argument's name travels with the
error, so that a config check can name the config key
(:func:`experiments.common.net_config.build_net`).

Examples
--------
>>> check_at_least("num_blocks", -1, 1)
Traceback (most recent call last):
    ...
lorentznets.layers.arguments.ArgumentError: num_blocks must be >= 1, got -1
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence


class ArgumentError(ValueError):
    """A constructor argument out of its range; the message starts with the argument's name.

    Parameters
    ----------
    argument : str
        The argument's name, dotted for a field of a nested config (``attention.num_heads``).
    message : str
    """

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument

    def within(self, parent: str) -> ArgumentError:
        """The same error for the field of the config argument ``parent`` (``num_heads`` ->
        ``attention.num_heads``, in the name and the message)."""
        return ArgumentError(f"{parent}.{self.argument}", f"{parent}.{self}")


def check_at_least(argument: str, value: float, minimum: int) -> None:
    """Refuse ``value < minimum`` (a size: 1 for widths and depths, 0 where none is valid)."""
    if not value >= minimum:
        raise ArgumentError(argument, f"{argument} must be >= {minimum}, got {value}")


def check_positive(argument: str, value: float) -> None:
    """Refuse ``value <= 0`` (and NaN): scales, averages."""
    if not value > 0:
        raise ArgumentError(argument, f"{argument} must be > 0, got {value}")


def check_probability(argument: str, value: float) -> None:
    """Refuse a dropout probability outside [0, 1) (1 would drop everything)."""
    if not 0 <= value < 1:
        raise ArgumentError(argument, f"{argument} must be in [0, 1), got {value}")


def check_choice(argument: str, value: object, choices: Collection[object]) -> None:
    """Refuse a value that is not one of ``choices``."""
    if value not in choices:
        options = ", ".join(repr(choice) for choice in choices)
        raise ArgumentError(argument, f"{argument} must be one of {options}, got {value!r}")


def check_sizes(argument: str, values: Iterable[float], empty: bool = False) -> None:
    """Refuse a list of widths with an entry < 1, or an empty one unless ``empty``."""
    values = list(values)
    if not values and not empty:
        raise ArgumentError(argument, f"{argument} must not be empty")
    if any(not value >= 1 for value in values):
        raise ArgumentError(argument, f"{argument} must hold sizes >= 1, got {values}")


def check_head_layers(argument: str, layers: Iterable[Sequence[float]]) -> None:
    """Refuse hidden head layers ``(width, dropout)`` with a width < 1 or a dropout outside [0, 1)."""
    layers = [tuple(layer) for layer in layers]
    if any(len(layer) != 2 or not layer[0] >= 1 or not 0 <= layer[1] < 1 for layer in layers):
        raise ArgumentError(
            argument, f"{argument} must hold [width >= 1, dropout in [0, 1)] pairs, got {[list(x) for x in layers]}"
        )
