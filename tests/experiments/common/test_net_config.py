"""A net's config section checked against its constructor: unknown keys, keys the experiment sets,
value types from the type hints, and the constructor's own refusals, each one line naming the key
or the net."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pytest
from torch import nn

from experiments.common.config_schema import ConfigError
from experiments.common.net_config import build_net, check_net_config, describe, matches
from lorentznets.nets.lgatr import LGATr
from lorentznets.nets.lorentznet import LorentzNet
from lorentznets.nets.particlenet import ParticleNet
from lorentznets.nets.pelican import PELICAN


class _Base(nn.Module):
    def __init__(self, width: int, scale: float = 1.0) -> None:
        super().__init__()
        if width < 1:
            raise ValueError(f"width must be >= 1, got {width}")
        self.layer = nn.Linear(width, width)


class _Passing(_Base):
    """Passes ``**kwargs`` on to its base: the base's arguments are its own."""

    def __init__(self, depth: int = 1, **kwargs) -> None:
        super().__init__(**kwargs)


def test_a_valid_section_builds_the_net_with_the_fixed_arguments():
    net = build_net(
        LorentzNet, {"hidden_channels": 8, "num_blocks": 2, "c_weight": 1}, in_scalar_channels=3, out_channels=1
    )
    assert isinstance(net, LorentzNet) and net.embedding.out_features == 8 and len(net.blocks) == 2


def test_an_unknown_key_is_named_with_the_settable_ones():
    with pytest.raises(ConfigError) as info:
        build_net(LorentzNet, {"hiden_channels": 8}, in_scalar_channels=3, out_channels=1)
    assert str(info.value) == (
        "unknown config key model.net.hiden_channels (misspelt?): LorentzNet takes hidden_channels, num_blocks, "
        "c_weight, dropout, readout, official"
    )


@pytest.mark.parametrize("key", ["out_channels", "in_scalar_channels"])
def test_a_key_the_experiment_sets_is_refused(key):
    with pytest.raises(ConfigError, match=f"model.net.{key} is not allowed: the experiment sets LorentzNet's {key}"):
        build_net(LorentzNet, {key: 4}, in_scalar_channels=3, out_channels=1)


def test_positional_arguments_are_not_settable_either():
    with pytest.raises(ConfigError, match="the experiment sets ParticleNet's in_channels itself"):
        build_net(ParticleNet, {"in_channels": 4}, 7, 2)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"num_blocks": 2.5}, "model.net.num_blocks=2.5 (float) is not allowed: LorentzNet expects an integer"),
        ({"num_blocks": True}, "model.net.num_blocks=True (bool) is not allowed: LorentzNet expects an integer"),
        ({"official": 1}, "model.net.official=1 (int) is not allowed: LorentzNet expects true or false"),
        ({"c_weight": "small"}, "model.net.c_weight='small' (str) is not allowed: LorentzNet expects a number"),
        ({"readout": None}, "model.net.readout=None (NoneType) is not allowed: LorentzNet expects a string"),
    ],
)
def test_a_value_of_the_wrong_type_is_named(section, message):
    with pytest.raises(ConfigError) as info:
        build_net(LorentzNet, section, in_scalar_channels=3, out_channels=1)
    assert str(info.value) == "config key " + message


def test_nested_lists_are_checked_element_by_element():
    good = {"conv_params": [[4, [8, 8]], [4, [16, 16]]], "fc_params": [[32, 0.1]]}
    check_net_config(ParticleNet, good, 2, set())
    with pytest.raises(ConfigError) as info:
        check_net_config(ParticleNet, {"conv_params": [[4, 8]]}, 2, set())
    assert "conv_params=[[4, 8]] (list) is not allowed: ParticleNet expects a list of [an integer, a list of an" in str(
        info.value
    )


def test_the_constructors_refusal_names_the_key():
    with pytest.raises(ConfigError) as info:
        build_net(LorentzNet, {"num_blocks": 0}, in_scalar_channels=3, out_channels=1)
    assert str(info.value) == (
        "config key model.net.num_blocks is not accepted by LorentzNet: num_blocks must be >= 1, got 0"
    )


def test_a_refused_field_of_a_nested_section_is_named_with_its_path():
    section = {"num_blocks": 1, "hidden_mv_channels": 2, "hidden_s_channels": 4, "attention": {"num_heads": 0}}
    with pytest.raises(ConfigError) as info:
        build_net(LGATr, {**section, "mlp": {}}, in_mv_channels=1, out_mv_channels=1, in_s_channels=0, out_s_channels=0)
    assert str(info.value) == (
        "config key model.net.attention.num_heads is not accepted by LGATr: attention.num_heads must be >= 1, got 0"
    )


def test_a_refused_argument_the_experiment_sets_names_the_section():
    # the key is not in the section: the value came from the data (a channel count)
    with pytest.raises(ConfigError) as info:
        build_net(LorentzNet, {"num_blocks": 1}, in_scalar_channels=0, out_channels=1)
    assert str(info.value) == (
        "config section model.net is not accepted by LorentzNet: in_scalar_channels must be >= 1, got 0"
    )


class _Dividing(nn.Module):
    def __init__(self, heads: int = 1) -> None:
        super().__init__()
        self.width = 8 // heads


def test_arithmetic_errors_of_a_constructor_are_one_line_too():
    # a ZeroDivisionError passed build_net (and the config check) and ended the run with a traceback
    with pytest.raises(ConfigError) as info:
        build_net(_Dividing, {"heads": 0})
    assert str(info.value) == (
        "config section model.net is not accepted by _Dividing: ZeroDivisionError: integer division or modulo by zero"
    )


def test_keyword_arguments_passed_on_to_the_base_class_are_checked_as_its_own():
    assert isinstance(build_net(_Passing, {"width": 3, "scale": 2}), _Passing)
    with pytest.raises(ConfigError, match="model.net.width=3.0 .* _Passing expects an integer"):
        build_net(_Passing, {"width": 3.0})
    with pytest.raises(ConfigError, match="unknown config key model.net.widht .* _Passing takes depth, width, scale"):
        build_net(_Passing, {"widht": 3})
    with pytest.raises(ConfigError, match="not accepted by _Passing: width must be >= 1, got 0"):
        build_net(_Passing, {"width": 0})


def test_keys_passed_elsewhere_are_left_to_the_constructor():
    # PELICAN hands what it does not name to its backbone, whose refusal is reported with PELICAN's name.
    net = build_net(PELICAN, {"hidden_channels": 4, "num_blocks": 1, "readout_channels": 4}, out_channels=1)
    assert isinstance(net, PELICAN)
    with pytest.raises(ConfigError, match="not accepted by PELICAN: .*unexpected keyword argument 'hiden_channels'"):
        build_net(PELICAN, {"hiden_channels": 4}, out_channels=1)


@pytest.mark.parametrize(
    ("value", "hint", "expected"),
    [
        (3, float, True),
        (True, float, False),
        (3.0, int, False),
        (None, int | None, True),
        ("a", int | None, False),
        ("jet", Literal["jet", "particle"], True),
        ("pair", Literal["jet", "particle"], False),
        ([1, 2], tuple[int, ...], True),
        ([1, "2"], tuple[int, ...], False),
        ([1, [2]], tuple[int, Sequence[int]], True),
        ([1, [2], 3], tuple[int, Sequence[int]], False),
        ((1, 2), Sequence[int], True),
        ("12", Sequence[int], False),
        ({"a": 1}, Mapping, True),
        ([1], Mapping, False),
        ({"a": 1}, nn.Module, True),  # a class the config cannot name: left to the constructor
    ],
)
def test_matches(value, hint, expected):
    assert matches(value, hint) is expected


def test_describe():
    assert describe(float | None) == "a number or null"
    assert describe(Sequence[tuple[int, Sequence[int]]]) == "a list of [an integer, a list of an integer]"
    assert describe(Literal["a", "b"]) == "one of 'a', 'b'"
