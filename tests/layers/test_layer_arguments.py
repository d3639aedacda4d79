"""Public layers check their own constructor arguments once, naming them (an ArgumentError), and a net
that leaves an argument to its layer still names the net's argument: one check per argument."""

from __future__ import annotations

import pytest

from lorentznets.layers.arguments import ArgumentError
from lorentznets.layers.gatr import ScalarGatedNonlinearity
from lorentznets.layers.lgn import SCALAR, CGLevel, InputEmbedding, PairWeights, ScalarMLP
from lorentznets.layers.part import ParTBlock
from lorentznets.nets import LGN, ParticleTransformer

LAYERS = [
    (lambda: ParTBlock(8, 3), "num_heads", "channels=8 is not divisible by num_heads=3"),
    (lambda: ParTBlock(8, 2, attn_dropout=1.0), "attn_dropout", r"attn_dropout must be in \[0, 1\), got 1.0"),
    (lambda: ParTBlock(8, 2, dropout=-0.1), "dropout", r"dropout must be in \[0, 1\), got -0.1"),
    (lambda: ScalarGatedNonlinearity("swish"), "nonlinearity", "nonlinearity must be one of 'gelu', .*'swish'"),
    (lambda: ScalarMLP(2, activation="swish"), "activation", "activation must be one of 'elu', .*'swish'"),
    (lambda: ScalarMLP(2, width_factor=0), "width_factor", "width_factor must be >= 1, got 0"),
    (lambda: PairWeights(2, num_basis=0), "num_basis", "num_basis must be >= 1, got 0"),
    (lambda: InputEmbedding(-1, 2), "in_scalars", "in_scalars must be >= 0, got -1"),
    (lambda: CGLevel([SCALAR, (1, 1)], 2, 2, 1, aggregation="max"), "aggregation", "aggregation must be one of"),
]


@pytest.mark.parametrize(("build", "argument", "message"), LAYERS)
def test_a_public_layer_refuses_its_own_argument(build, argument, message):
    with pytest.raises(ArgumentError, match=f"^{message}") as info:
        build()
    assert info.value.argument == argument


PART = {"embed_dims": (8,), "pair_embed_dims": (4,), "num_heads": 2, "num_layers": 1, "num_cls_layers": 1}


@pytest.mark.parametrize(
    ("build", "argument", "message"),
    [
        (lambda: LGN((2, 2), num_basis=0), "num_basis", "num_basis must be >= 1, got 0"),
        (lambda: LGN((2, 2), in_scalars=-1), "in_scalars", "in_scalars must be >= 0, got -1"),
        (lambda: LGN((2, 2), aggregation="max"), "aggregation", "aggregation must be one of 'sum', 'mean'"),
        (lambda: ParticleTransformer(7, 2, dropout=1.0, **PART), "dropout", r"dropout must be in \[0, 1\)"),
        (lambda: ParticleTransformer(7, 2, activation_dropout=-1, **PART), "activation_dropout", "activation_dropout"),
    ],
)
def test_a_net_names_its_argument_checked_by_its_layer(build, argument, message):
    with pytest.raises(ArgumentError, match=f"^{message}") as info:
        build()
    assert info.value.argument == argument
