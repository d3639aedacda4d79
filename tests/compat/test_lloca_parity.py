"""Drop-in parity with the lloca package (2.0): same weights and frames, same function (LLoCa-Transformer,
LLoCa-ParT, LLoCa-ParticleNet)."""

import pytest
import torch

from lorentznets.compat.lloca import (
    convert_lloca_part_state_dict,
    convert_lloca_particlenet_state_dict,
    convert_lloca_transformer_state_dict,
)
from lorentznets.lorentz import random_lorentz_transform
from lorentznets.nets.lloca_part import LLoCaParticleTransformer
from lorentznets.nets.lloca_particlenet import LLoCaParticleNet
from lorentznets.nets.lloca_transformer import LLoCaTransformer

lloca = pytest.importorskip("lloca")
from lloca.backbone.particlenet import ParticleNet as LLoCaParticleNetRef  # noqa: E402
from lloca.backbone.particletransformer import ParticleTransformer as LLoCaPart  # noqa: E402
from lloca.backbone.transformer import Transformer as LLoCaTransformerRef  # noqa: E402
from lloca.framesnet.frames import Frames  # noqa: E402

from experiments.common.host_inputs import packing  # noqa: E402

LENGTHS = (8, 5, 2)


def _inputs(in_channels: int, seed: int):
    generator = torch.Generator().manual_seed(seed)
    batch, num = len(LENGTHS), max(LENGTHS)
    mask = torch.arange(num)[None] < torch.tensor(LENGTHS)[:, None]
    spatial = 20 * torch.randn(batch, num, 3, generator=generator)
    mass = 1 + torch.rand(batch, num, 1, generator=generator)
    momenta = torch.cat(((spatial.square().sum(-1, keepdim=True) + mass**2).sqrt(), spatial), -1) * mask[..., None]
    frames = random_lorentz_transform((batch, num), max_rapidity=2.0, generator=generator).float()
    features = torch.randn(batch, num, in_channels, generator=generator) * mask[..., None]
    return features, momenta, frames, mask


def _assert_close(ours: torch.Tensor, ref: torch.Tensor) -> None:
    relative = ((ours - ref).abs().max() / ref.abs().max()).item()
    assert relative < 1e-5, relative


@pytest.mark.parametrize(
    ("reps", "heads", "blocks", "preserve_variance", "mlp_ratio"),
    [
        ("4x0n+2x1n", 2, 2, True, 4),
        ("8x0n+2x1n+1x2n", 4, 1, True, 4),
        ("2x0n+1x1n+1x1p", 3, 2, False, 4),
        ("12x0n+1x1n", 2, 1, True, 2),  # the authors' top-tagging layout (config_paper)
    ],
)
def test_lloca_transformer_matches(reps, heads, blocks, preserve_variance, mlp_ratio):
    torch.manual_seed(0)
    config = dict(num_blocks=blocks, num_heads=heads, preserve_variance=preserve_variance)
    reference = LLoCaTransformerRef(in_channels=5, attn_reps=reps, out_channels=3, mlp_factor=mlp_ratio, **config)
    ours = LLoCaTransformer(5, 3, reps, mlp_ratio=mlp_ratio, **config)
    ours.load_state_dict(convert_lloca_transformer_state_dict(reference.state_dict(), heads))
    features, momenta, frames, mask = _inputs(5, seed=blocks)
    jet = momenta.sum(1)
    ref = reference(features, Frames(frames), p_ref=jet, attn_mask=mask[:, None, None, :])
    _assert_close(ours(features, frames, mask, jet) * mask[..., None], ref * mask[..., None])
    packed = ours(features, frames, mask, jet, **packing(mask))
    _assert_close(packed, ref * mask[..., None])


@pytest.mark.parametrize(
    ("reps", "heads", "embed_dims", "pair_dim"),
    [("4x0n+2x1n", 2, (32, 24), 1), ("6x0n+1x1n+1x2n", 2, (), 4), ("8x0n+2x1n", 4, (16, 64), 0)],
)
def test_lloca_part_matches(reps, heads, embed_dims, pair_dim):
    torch.manual_seed(0)
    pair_embed_dims = (8, 8) if pair_dim else ()
    reference = LLoCaPart(
        input_dim=5,
        attn_reps=reps,
        num_classes=3,
        embed_dims=embed_dims,
        pair_embed_dims=pair_embed_dims or None,
        pair_input_dim=pair_dim,
        num_heads=heads,
        num_layers=2,
        num_cls_layers=1,
    )
    pair_features = ("ln_m2", "ln_kt", "ln_z", "ln_delta")[:pair_dim]
    ours = LLoCaParticleTransformer(
        5,
        3,
        reps,
        num_heads=heads,
        embed_dims=embed_dims,
        pair_features=pair_features,
        pair_embed_dims=pair_embed_dims,
        num_layers=2,
        num_cls_layers=1,
        dropout=0.0,
        attn_dropout=0.0,
        activation_dropout=0.0,
    )
    ours.load_state_dict(convert_lloca_part_state_dict(reference.state_dict()))
    for m in reference.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
        if hasattr(m, "dropout") and isinstance(m.dropout, float):
            m.dropout = 0.0
    features, momenta, frames, mask = _inputs(5, seed=3)
    jet = momenta.sum(1)
    weaver_momenta = momenta[..., [1, 2, 3, 0]].transpose(1, 2)
    for training in (True, False):
        reference.train(training)
        ours.train(training)
        ref = reference(features.transpose(1, 2), Frames(frames), v=weaver_momenta, mask=mask[:, None], p_ref=jet)
        _assert_close(ours(features, momenta, frames, mask, jet), ref)


@pytest.mark.parametrize(
    ("conv_params", "hidden_reps", "use_fusion"),
    [
        (((3, (8, 8)), (3, (16, 16))), ("4x0n+1x1n",), True),
        (((4, (16,)), (3, (24, 16)), (2, (12,))), ("4x0n+2x1n+1x1p", "1x2n"), False),
    ],
)
def test_lloca_particlenet_matches(conv_params, hidden_reps, use_fusion):
    torch.manual_seed(0)
    reference = LLoCaParticleNetRef(
        5, ["5x0n", *hidden_reps], 3, conv_params=conv_params, fc_params=[(8, 0.0)], use_fusion=use_fusion
    )
    ours = LLoCaParticleNet(5, 3, conv_params, hidden_reps, fc_params=((8, 0.0),), use_fusion=use_fusion)
    ours.load_state_dict(convert_lloca_particlenet_state_dict(reference.state_dict()))
    features, _, frames, mask = _inputs(5, seed=4)
    frames = torch.where(mask[..., None, None], frames, torch.eye(4))
    points = features[..., :2]
    for training in (True, False):
        reference.train(training)
        ours.train(training)
        ref = reference(
            points.transpose(1, 2), features.transpose(1, 2), Frames(frames.reshape(-1, 4, 4)), mask[:, None]
        )
        _assert_close(ours(points, features, frames, mask), ref)
