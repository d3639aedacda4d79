"""The range checks of constructor arguments: each refusal is an ArgumentError (a ValueError) that
names the argument and the value, and nothing in range is refused."""

from __future__ import annotations

import math

import pytest

from lorentznets.layers.arguments import (
    ArgumentError,
    check_at_least,
    check_choice,
    check_head_layers,
    check_positive,
    check_probability,
    check_sizes,
)


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (lambda v: check_at_least("num_blocks", v, 1), 0, "num_blocks must be >= 1, got 0"),
        (lambda v: check_at_least("mlp_depth", v, 0), -1, "mlp_depth must be >= 0, got -1"),
        (lambda v: check_positive("average_particles", v), 0.0, "average_particles must be > 0, got 0.0"),
        (lambda v: check_positive("average_particles", v), math.nan, "average_particles must be > 0, got nan"),
        (lambda v: check_probability("attn_dropout", v), -1.0, r"attn_dropout must be in \[0, 1\), got -1.0"),
        (lambda v: check_probability("attn_dropout", v), 1.0, r"attn_dropout must be in \[0, 1\), got 1.0"),
        (lambda v: check_choice("backend", v, ("auto", "pad")), "bogus", "backend must be one of 'auto', 'pad', got"),
        (lambda v: check_sizes("embed_dims", v), [], "embed_dims must not be empty"),
        (lambda v: check_sizes("embed_dims", v), [8, 0], r"embed_dims must hold sizes >= 1, got \[8, 0\]"),
        (lambda v: check_head_layers("fc_params", v), [[0, 0.1]], r"fc_params must hold .* got \[\[0, 0.1\]\]"),
        (lambda v: check_head_layers("fc_params", v), [[8, 1.5]], r"fc_params must hold .* got \[\[8, 1.5\]\]"),
    ],
)
def test_a_value_out_of_range_is_refused_naming_the_argument(check, value, message):
    with pytest.raises(ArgumentError, match=message) as info:
        check(value)
    assert isinstance(info.value, ValueError)
    assert info.value.argument == message.split(" ")[0]


def test_values_in_range_pass():
    check_at_least("num_blocks", 1, 1)
    check_at_least("mlp_depth", 0, 0)
    check_positive("momentum_scale", 1e-3)
    check_probability("dropout", 0.0)
    check_choice("backend", "pad", ("auto", "pad"))
    check_sizes("embed_dims", [1, 8])
    check_sizes("pair_embed_dims", [], empty=True)
    check_head_layers("fc_params", [[8, 0.0], (4, 0.5)])
    check_head_layers("fc_params", [])


def test_within_names_the_field_of_a_nested_config():
    error = ArgumentError("num_heads", "num_heads must be >= 1, got 0").within("attention")
    assert error.argument == "attention.num_heads"
    assert str(error) == "attention.num_heads must be >= 1, got 0"
