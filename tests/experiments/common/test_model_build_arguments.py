"""A net setting out of range stops the run at the config check, before any data are read, in one
line naming ``model.net.<key>``.

These are the probe's cases: each built a degenerate net that trained with exit code 0, or failed
with a traceback (ZeroDivisionError, a ValueError from ``forward``) or a misleading "non-finite
loss, lower the learning rate" after the data were read.
"""

from __future__ import annotations

import pytest
from experiment_test_utils import compose_config

from experiments.common.config_schema import ConfigError
from experiments.registry import get_experiment


def _check(name: str, overrides: list[str]) -> None:
    get_experiment(name).check_config(compose_config(name, overrides))


@pytest.mark.parametrize(
    ("model", "override", "message"),
    [
        (
            "transformer",
            "num_blocks=-1",
            "model.net.num_blocks is not accepted by Transformer: num_blocks must be >= 1",
        ),
        ("transformer", "hidden_channels=0", "model.net.hidden_channels is not accepted by Transformer"),
        ("transformer", "mlp_ratio=0", "model.net.mlp_ratio is not accepted by Transformer"),
        ("transformer", "num_heads=0", "model.net.num_heads is not accepted by Transformer: num_heads must be >= 1"),
        ("gatr", "num_blocks=-1", "model.net.num_blocks is not accepted by LGATr"),
        ("gatr", "attention.num_heads=0", "model.net.attention.num_heads is not accepted by LGATr"),
        ("gatr", "attention.attn_ratio=-1", "model.net.attention.attn_ratio is not accepted by LGATr"),
        ("gatr", "attention.backend=bogus", "model.net.attention.backend is not accepted by LGATr"),
        ("part", "num_layers=-1", "model.net.num_layers is not accepted by ParticleTransformer"),
        ("part", "num_cls_layers=-1", "model.net.num_cls_layers is not accepted by ParticleTransformer"),
        ("part", "ffn_ratio=0", "model.net.ffn_ratio is not accepted by ParticleTransformer"),
        ("part", "num_heads=0", "model.net.num_heads is not accepted by ParticleTransformer"),
        ("part", "pair_features=[bogus]", "model.net.pair_features is not accepted by ParticleTransformer"),
        ("part", "attn_dropout=-1.0", "model.net.attn_dropout is not accepted by ParticleTransformer"),
        ("particlenet", "conv_params=[[0,[32]]]", "model.net.conv_params is not accepted by ParticleNet"),
        ("lorentznet", "hidden_channels=0", "model.net.hidden_channels is not accepted by LorentzNet"),
        ("lloca_transformer", "num_heads=0", "model.net.num_heads is not accepted by LLoCaTransformer"),
        ("lgn", "mlp_depth=-1", "model.net.mlp_depth is not accepted by LGN: mlp_depth must be >= 0, got -1"),
        ("pelican", "hidden_channels=0", "model.net.hidden_channels is not accepted by PELICAN"),
        ("pelican", "average_particles=0", "model.net.average_particles is not accepted by PELICAN"),
    ],
)
def test_a_tagger_setting_out_of_range_is_refused_by_the_config_check(model, override, message):
    with pytest.raises(ConfigError) as info:
        _check("toptagging", [f"model={model}", f"model.net.{override}"])
    assert str(info.value).startswith("config key " + message)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "model", "override", "message"),
    [
        ("amplitudes", "mlp", "hidden_channels=0", "model.net.hidden_channels is not accepted by MLP"),
        ("ttbar", "transformer", "num_heads=0", "model.net.num_heads is not accepted by Transformer"),
        ("ttbar", "gatr", "mlp.mlp_ratio=0", "model.net.mlp.mlp_ratio is not accepted by LGATr"),
    ],
)
def test_other_experiments_refuse_them_too(name, model, override, message):
    with pytest.raises(ConfigError) as info:
        _check(name, [f"model={model}", f"model.net.{override}"])
    assert str(info.value).startswith("config key " + message)
