"""Every net refuses sizes, ratios and choices out of range in its constructor, naming the argument.

Before, a negative or zero size built a degenerate net that trained (``num_blocks=-1``: no
blocks; ``hidden_channels=0``: empty layers; ``num_cls_layers=-1``: ParT's output independent of
the jet), or the net failed only in ``forward`` or with a ZeroDivisionError (``num_heads=0``, an
unknown pair feature or attention backend, ``attn_dropout=-1``), or trained on NaN
(``average_particles=0``, ParticleNet with ``k=0``).
"""

from __future__ import annotations

import pytest
import torch

from lorentznets.layers.arguments import ArgumentError
from lorentznets.nets import MLP, PELICAN, LGATr, LorentzNet, Transformer
from lorentznets.nets.lgn import LGN
from lorentznets.nets.lloca_part import LLoCaParticleTransformer
from lorentznets.nets.lloca_particlenet import LLoCaParticleNet
from lorentznets.nets.lloca_transformer import LLoCaTransformer
from lorentznets.nets.part import ParticleTransformer
from lorentznets.nets.particlenet import ParticleNet
from lorentznets.nets.pelican import PELICANRegressor

SMALL = {
    Transformer: {"in_channels": 3, "out_channels": 1, "hidden_channels": 8, "num_blocks": 1, "num_heads": 2},
    MLP: {"in_channels": 3, "out_channels": 1, "hidden_channels": 8, "num_layers": 1},
    LGATr: {
        "num_blocks": 1,
        "in_mv_channels": 1,
        "out_mv_channels": 1,
        "hidden_mv_channels": 2,
        "in_s_channels": 1,
        "out_s_channels": 1,
        "hidden_s_channels": 4,
        "attention": {"num_heads": 2},
        "mlp": {},
    },
    PELICAN: {"out_channels": 1, "hidden_channels": 4, "message_channels": 4, "num_blocks": 1, "readout_channels": 4},
    PELICANRegressor: {"hidden_channels": 4, "message_channels": 4, "num_blocks": 1, "readout_channels": 4},
    LorentzNet: {"in_scalar_channels": 2, "out_channels": 1, "hidden_channels": 4, "num_blocks": 1},
    LGN: {"channels": (2, 2), "maxdim": 1, "mlp_depth": 1},
    ParticleTransformer: {
        "in_channels": 7,
        "out_channels": 2,
        "embed_dims": (8,),
        "pair_embed_dims": (4,),
        "num_heads": 2,
        "num_layers": 1,
        "num_cls_layers": 1,
    },
    ParticleNet: {"in_channels": 7, "out_channels": 2, "conv_params": ((2, (8,)),), "fc_params": ((8, 0.1),)},
    LLoCaTransformer: {"in_channels": 7, "out_channels": 1, "attn_reps": "4x0n+1x1n", "num_heads": 2, "num_blocks": 1},
    LLoCaParticleTransformer: {
        "in_channels": 7,
        "out_channels": 2,
        "attn_reps": "4x0n+1x1n",
        "num_heads": 2,
        "num_layers": 1,
        "num_cls_layers": 1,
    },
    LLoCaParticleNet: {
        "in_channels": 7,
        "out_channels": 2,
        "conv_params": ((2, (8,)), (2, (8,))),
        "hidden_reps": ("4x0n+1x1n",),
    },
}

# (net, argument, value, message): the probe's cases first, then the other sizes
REFUSED = [
    (Transformer, "num_blocks", -1, "num_blocks must be >= 1, got -1"),
    (Transformer, "hidden_channels", 0, "hidden_channels must be >= 1, got 0"),
    (Transformer, "num_heads", 0, "num_heads must be >= 1, got 0"),
    (Transformer, "num_heads", 3, "hidden_channels=8 is not divisible by num_heads=3"),
    (Transformer, "mlp_ratio", 0, "mlp_ratio must be >= 1, got 0"),
    (MLP, "hidden_channels", 0, "hidden_channels must be >= 1, got 0"),
    (MLP, "num_layers", -1, "num_layers must be >= 0, got -1"),
    (MLP, "activation", "swish", "activation must be one of 'gelu', 'relu', 'silu', 'tanh', got 'swish'"),
    (LGATr, "num_blocks", -1, "num_blocks must be >= 1, got -1"),
    (LGATr, "hidden_mv_channels", 0, "hidden_mv_channels must be >= 1, got 0"),
    (LGATr, "hidden_s_channels", -1, "hidden_s_channels must be >= 0, got -1"),
    (LGATr, "dropout_prob", 1.0, r"dropout_prob must be in \[0, 1\), got 1.0"),
    (LGATr, "attention.num_heads", {"num_heads": 0}, "attention.num_heads must be >= 1, got 0"),
    (LGATr, "attention.attn_ratio", {"attn_ratio": -1}, "attention.attn_ratio must be >= 1, got -1"),
    (LGATr, "attention.backend", {"backend": "bogus"}, "attention.backend must be one of 'auto', 'pad', .*'bogus'"),
    (LGATr, "mlp.mlp_ratio", {"mlp_ratio": 0}, "mlp.mlp_ratio must be >= 1, got 0"),
    (LGATr, "mlp.num_layers_mlp", {"num_layers_mlp": 0}, "mlp.num_layers_mlp must be >= 1, got 0"),
    (LGATr, "mlp.nonlinearity", {"nonlinearity": "swish"}, "mlp.nonlinearity must be one of 'gelu', .*'swish'"),
    (PELICAN, "hidden_channels", 0, "hidden_channels must be >= 1, got 0"),
    (PELICAN, "message_channels", 0, "message_channels must be >= 1, got 0"),
    (PELICAN, "num_blocks", 0, "num_blocks must be >= 1, got 0"),
    (PELICAN, "encoder_channels", 0, "encoder_channels must be >= 1, got 0"),
    (PELICAN, "average_particles", 0.0, "average_particles must be > 0, got 0.0"),
    (PELICAN, "momentum_scale", -1.0, "momentum_scale must be > 0, got -1.0"),
    (PELICAN, "readout_channels", -1, "readout_channels must be >= 1, got -1"),
    (PELICANRegressor, "readout_channels", 0, "readout_channels must be >= 1, got 0"),
    (LorentzNet, "hidden_channels", 0, "hidden_channels must be >= 1, got 0"),
    (LorentzNet, "num_blocks", 0, "num_blocks must be >= 1, got 0"),
    (LGN, "mlp_depth", -1, "mlp_depth must be >= 0, got -1"),
    (LGN, "mlp_width_factor", 0, "mlp_width_factor must be >= 1, got 0"),
    (LGN, "num_basis", 0, "num_basis must be >= 1, got 0"),
    (LGN, "channels", (2, 0), r"channels needs at least two positive entries .* got \[2, 0\]"),
    (LGN, "activation", "swish", "activation must be one of 'elu', 'leaky_relu', 'relu', 'silu', got 'swish'"),
    (ParticleTransformer, "num_layers", -1, "num_layers must be >= 1, got -1"),
    (ParticleTransformer, "num_cls_layers", -1, "num_cls_layers must be >= 1, got -1"),
    (ParticleTransformer, "num_cls_layers", 0, "num_cls_layers must be >= 1, got 0"),
    (ParticleTransformer, "ffn_ratio", 0, "ffn_ratio must be >= 1, got 0"),
    (ParticleTransformer, "num_heads", 0, "num_heads must be >= 1, got 0"),
    (ParticleTransformer, "num_heads", 3, r"the token width embed_dims\[-1\]=8 is not divisible by num_heads=3"),
    (ParticleTransformer, "pair_features", ("bogus",), r"pair_features must be distinct names .* got \['bogus'\]"),
    (ParticleTransformer, "pair_features", ("ln_m2", "ln_m2"), "pair_features must be distinct names"),
    (ParticleTransformer, "pair_features", (), "pair_features must not be empty with a pair embedding"),
    (ParticleTransformer, "attn_dropout", -1.0, r"attn_dropout must be in \[0, 1\), got -1.0"),
    (ParticleTransformer, "embed_dims", (), "embed_dims must not be empty"),
    (ParticleTransformer, "pair_embed_dims", (0,), r"pair_embed_dims must hold sizes >= 1, got \[0\]"),
    (ParticleTransformer, "fc_params", ((0, 0.1),), r"fc_params must hold \[width >= 1, dropout in \[0, 1\)\] pairs"),
    (
        ParticleNet,
        "conv_params",
        ((0, (32,)),),
        r"conv_params must hold at least one \[k >= 1, .* got \[\[0, \[32\]\]\]",
    ),
    (ParticleNet, "conv_params", ((4, ()),), r"conv_params must hold .* got \[\[4, \[\]\]\]"),
    (ParticleNet, "conv_params", (), r"conv_params must hold .* got \[\]"),
    (ParticleNet, "fc_params", ((8, -0.1),), r"fc_params must hold .* got \[\[8, -0.1\]\]"),
    (LLoCaTransformer, "num_heads", 0, "num_heads must be >= 1, got 0"),
    (LLoCaTransformer, "num_blocks", -1, "num_blocks must be >= 1, got -1"),
    (LLoCaTransformer, "mlp_ratio", 0, "mlp_ratio must be >= 1, got 0"),
    (LLoCaTransformer, "attn_reps", "0x0n", "attn_reps must have at least one channel, got '0x0n'"),
    (LLoCaTransformer, "attn_reps", "4y0n", "attn_reps: invalid tensor representation term '4y0n'"),
    (LLoCaParticleTransformer, "num_heads", 0, "num_heads must be >= 1, got 0"),
    (LLoCaParticleTransformer, "num_layers", 0, "num_layers must be >= 1, got 0"),
    (LLoCaParticleNet, "conv_params", ((0, (8,)), (2, (8,))), r"conv_params must hold .* got \[\[0, \[8\]\], "),
    # dropout rates: torch's message named no argument, and MLP took a negative one
    (Transformer, "dropout", 1.5, r"dropout must be in \[0, 1\), got 1.5"),
    (MLP, "dropout", -0.1, r"dropout must be in \[0, 1\), got -0.1"),
    (PELICAN, "dropout", 1.0, r"dropout must be in \[0, 1\), got 1.0"),
    (PELICANRegressor, "dropout", -0.5, r"dropout must be in \[0, 1\), got -0.5"),
    (LorentzNet, "dropout", 2.0, r"dropout must be in \[0, 1\), got 2.0"),
    (LLoCaTransformer, "dropout", 1.5, r"dropout must be in \[0, 1\), got 1.5"),
]


@pytest.mark.parametrize(("net", "argument", "value", "message"), REFUSED)
def test_an_argument_out_of_range_is_refused_by_the_constructor(net, argument, value, message):
    arguments = dict(SMALL[net])
    name = argument.split(".")[0]
    arguments[name] = value
    with pytest.raises(ArgumentError, match=f"^{message}") as info:
        net(**arguments)
    assert info.value.argument == argument


@pytest.mark.parametrize("net", list(SMALL), ids=lambda net: net.__name__)
def test_the_small_settings_build(net):
    assert isinstance(net(**SMALL[net]), torch.nn.Module)


@pytest.mark.parametrize(
    ("net", "argument", "value"),
    [
        (MLP, "num_layers", 0),  # one linear map
        (LGN, "mlp_depth", 0),  # no MLP on the invariant channels
        (LGATr, "hidden_s_channels", 0),
        (LGATr, "dropout_prob", 0.0),
        (ParticleTransformer, "pair_embed_dims", ()),  # no pair bias
        (ParticleTransformer, "pair_features", ()),  # unused without a pair embedding
        (ParticleTransformer, "fc_params", ((8, 0.0),)),
        (ParticleNet, "fc_params", ()),
    ],
)
def test_zero_and_empty_settings_that_are_meaningful_build(net, argument, value):
    arguments = dict(SMALL[net])
    if argument == "pair_features":
        arguments["pair_embed_dims"] = ()
    if argument == "hidden_s_channels":
        arguments.update(in_s_channels=0, out_s_channels=0)
    arguments[argument] = value
    assert isinstance(net(**arguments), torch.nn.Module)
