"""The settings of a saved model's function: compared on warm starts, fine-tunings and resumes,
with settings added since the model was saved counted at the value it computed with."""

from __future__ import annotations

import copy

import pytest
import torch
import yaml
from omegaconf import OmegaConf

import experiments.tagging.experiment  # noqa: F401 - registers the tagging wrappers
from experiments.common.config_upgrade import CONFIG_DIR
from experiments.common.model_build import build_model
from experiments.common.model_function import (
    ADDED_MODEL_SETTINGS,
    function_changes,
    model_setting_changes,
    saved_settings,
    with_added_settings,
)

TRANSFORMER = {"name": "transformer", "net": {"hidden_channels": 8, "num_blocks": 1, "num_heads": 2, "dropout": 0.0}}


def test_settings_of_equal_shapes_are_changes_but_dropout_is_not():
    other_heads = {"name": "transformer", "net": {**TRANSFORMER["net"], "num_heads": 4}}
    assert model_setting_changes(TRANSFORMER, other_heads) == ["model.net.num_heads: 2 -> 4"]
    assert (
        model_setting_changes(TRANSFORMER, {"name": "transformer", "net": {**TRANSFORMER["net"], "dropout": 0.1}}) == []
    )
    saved = {"name": "part", "net": {"attn_dropout": 0.1, "activation_dropout": 0.1, "fc_params": [[64, 0.1]]}}
    regularised = {"name": "part", "net": {"attn_dropout": 0.0, "activation_dropout": 0.0, "fc_params": [[64, 0.5]]}}
    assert model_setting_changes(saved, regularised) == []
    wider = {"name": "part", "net": {**saved["net"], "fc_params": [[128, 0.1]]}}
    assert model_setting_changes(saved, wider) == ["model.net.fc_params: [[64, 0.1]] -> [[128, 0.1]]"]


def test_declared_keys_outside_the_model_are_compared():
    saved = {"model": TRANSFORMER, "data": {"features": "weaver", "max_particles": 10}}
    current = {"model": TRANSFORMER, "data": {"features": "lorentznets", "max_particles": 20}}
    assert function_changes(saved, current) == []
    assert function_changes(saved, current, ("data.features",)) == ["data.features: 'weaver' -> 'lorentznets'"]
    assert function_changes({"model": TRANSFORMER}, current, ("data.max_particles",)) == []  # not saved, not added


def test_settings_added_since_a_model_was_saved_count_with_their_old_value():
    saved = {"model": {"name": "part", "net": {"num_heads": 8}}, "data": {"path": "jets.h5"}}
    current = {
        "model": {"name": "part", "net": {"num_heads": 8, "pair_bias_activation": True}},
        "data": {"path": "jets.h5", "features": "lorentznets"},
    }
    assert function_changes(saved, current, ("data.features",)) == ["model.net.pair_bias_activation: False -> True"]
    weaver = copy.deepcopy(current)
    weaver["data"]["features"] = "weaver"
    weaver["model"]["net"]["pair_bias_activation"] = False
    assert function_changes(saved, weaver, ("data.features",)) == ["data.features: 'lorentznets' -> 'weaver'"]
    filled = with_added_settings(saved, current)
    assert filled["model"]["net"] == {"num_heads": 8, "pair_bias_activation": False}
    assert "pair_bias_activation" not in saved["model"]["net"]  # a copy
    # only keys the current config has, and only the saved model's own
    assert with_added_settings(saved, {"model": {"name": "part", "net": {}}}) == saved
    lgn = {"model": {"name": "lgn", "net": {}}}
    assert with_added_settings(lgn, {"model": {"name": "lgn", "net": {"pair_bias_activation": True}}}) == lgn


def test_saved_settings_of_final_models_and_checkpoints():
    assert saved_settings({"model": {}, "config": {"seed": 1}}) == {"seed": 1}
    assert saved_settings({"model": {}, "settings": {"seed": 2}}) == {"seed": 2}
    assert saved_settings({"model": {}, "step": 3}) is None
    assert saved_settings({"model": {}, "settings": {}}) is None


def _random_jets(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    momenta = torch.randn(3, 6, 4, generator=generator, dtype=torch.float64) * 20.0
    mass = torch.rand(3, 6, generator=generator, dtype=torch.float64)
    momenta[..., 0] = (momenta[..., 1:].square().sum(-1) + mass.square()).sqrt()
    return momenta, torch.ones(3, 6, dtype=torch.bool)


@pytest.mark.parametrize("name", sorted(ADDED_MODEL_SETTINGS))
def test_a_config_without_the_added_settings_builds_the_net_older_models_were(name):
    """A run folder's config.yaml from before a key existed, reloaded with -cp, builds the net with
    the constructor's default: it must be the value :data:`ADDED_MODEL_SETTINGS` says the model
    computed with (and the key must still exist in today's config)."""
    base = yaml.safe_load((CONFIG_DIR / "model" / f"{name}.yaml").read_text())
    built = {}
    for variant in ("without", "old"):
        section = copy.deepcopy(base)
        for key, old in ADDED_MODEL_SETTINGS[name].items():
            *parents, last = key.split(".")[1:]
            parent = section
            for part in parents:
                parent = parent[part]
            assert last in parent, f"config/model/{name}.yaml has no {key}"
            if variant == "without":
                del parent[last]
            else:
                parent[last] = old
        torch.manual_seed(0)
        model = build_model("tagging", OmegaConf.create(section), out_channels=1, num_scalars=0).double().eval()
        built[variant] = model
    momenta, mask = _random_jets(torch.Generator().manual_seed(1))
    without, old = built["without"], built["old"]
    assert without.state_dict().keys() == old.state_dict().keys()
    for key, value in old.state_dict().items():
        assert torch.equal(without.state_dict()[key], value), key
    with torch.no_grad():
        torch.testing.assert_close(without(momenta, mask), old(momenta, mask), rtol=0, atol=0)
