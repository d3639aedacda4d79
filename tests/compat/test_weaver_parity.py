"""Drop-in parity with weaver-core's ParT and ParticleNet: same weights, same function."""

import pytest
import torch

from lorentznets.compat.weaver import convert_part_state_dict, convert_particlenet_state_dict
from lorentznets.nets.part import ParticleTransformer
from lorentznets.nets.particlenet import ParticleNet

weaver_part = pytest.importorskip("weaver.nn.model.ParticleTransformer")
weaver_pn = pytest.importorskip("weaver.nn.model.ParticleNet")

LENGTHS = (12, 7, 3, 10, 1)


def _jets(num_features: int, seed: int):
    generator = torch.Generator().manual_seed(seed)
    batch, num = len(LENGTHS), max(LENGTHS)
    mask = torch.arange(num)[None] < torch.tensor(LENGTHS)[:, None]
    pt = 1 + 100 * torch.rand(batch, num, generator=generator)
    eta = 0.5 * torch.randn(batch, num, generator=generator)
    phi = 6.28 * torch.rand(batch, num, generator=generator)
    mass = torch.rand(batch, num, generator=generator)
    px, py, pz = pt * phi.cos(), pt * phi.sin(), pt * torch.sinh(eta)
    energy = (px**2 + py**2 + pz**2 + mass**2).sqrt()
    momenta = torch.stack([energy, px, py, pz], -1) * mask[..., None]
    features = torch.randn(batch, num, num_features, generator=generator) * mask[..., None]
    return momenta, features, mask


def _no_dropout(module: torch.nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
        if hasattr(m, "dropout") and isinstance(m.dropout, float):
            m.dropout = 0.0
        if hasattr(m, "attn_dropout"):
            m.attn_dropout = 0.0


def _assert_close(ours: torch.Tensor, ref: torch.Tensor) -> None:
    assert ours.shape == ref.shape
    relative = ((ours - ref).abs().max() / ref.abs().max()).item()
    assert relative < 1e-5, relative


PART_CONFIGS = [
    dict(
        embed_dims=(16, 32, 16),
        pair_embed_dims=(8, 8),
        num_heads=4,
        num_layers=2,
        num_cls_layers=1,
        fc_params=[(12, 0.0)],
    ),
    dict(embed_dims=(24,), pair_embed_dims=(16, 16, 16), num_heads=8, num_layers=3, num_cls_layers=2, fc_params=[]),
    dict(
        embed_dims=(32, 16),
        pair_embed_dims=(),
        num_heads=2,
        num_layers=1,
        num_cls_layers=2,
        fc_params=[(8, 0.0), (8, 0.0)],
    ),
]


# the ParT repository's published models: a GELU on the pair biases (use_pre_activation_pair=False)
PART_CONFIGS.append({**PART_CONFIGS[0], "pair_bias_activation": True})


@pytest.mark.parametrize("config", PART_CONFIGS)
def test_part_matches_weaver(config):
    torch.manual_seed(0)
    reference_config = {key: value for key, value in config.items() if key != "pair_bias_activation"}
    reference_config["pair_embed_dims"] = config["pair_embed_dims"] or None
    reference_config["use_pre_activation_pair"] = not config.get("pair_bias_activation", False)
    reference = weaver_part.ParticleTransformer(input_dim=7, num_classes=3, trim=False, **reference_config)
    ours = ParticleTransformer(7, 3, **config)
    ours.load_state_dict(convert_part_state_dict(reference.state_dict()))
    _no_dropout(reference)
    _no_dropout(ours)
    momenta, features, mask = _jets(7, seed=1)
    weaver_inputs = (features.transpose(1, 2), momenta[..., [1, 2, 3, 0]].transpose(1, 2), mask[:, None])
    for training in (True, False):  # a training step updates the batch-norm statistics of both
        reference.train(training)
        ours.train(training)
        _assert_close(
            ours(features, momenta, mask), reference(weaver_inputs[0], v=weaver_inputs[1], mask=weaver_inputs[2])
        )


PARTICLENET_CONFIGS = [
    dict(conv_params=[(4, (8, 8)), (3, (16, 16, 16))], fc_params=[(12, 0.0)]),
    dict(conv_params=[(7, (32, 32, 32)), (7, (64, 64, 64))], fc_params=[(128, 0.0)]),
    dict(conv_params=[(2, (7,))], fc_params=[(4, 0.0)]),  # equal widths: identity shortcut
    dict(conv_params=[(3, (8, 8)), (3, (16,))], fc_params=[(6, 0.0)], use_fusion=False),
]


@pytest.mark.parametrize("config", PARTICLENET_CONFIGS)
def test_particlenet_matches_weaver(config):
    torch.manual_seed(0)
    reference = weaver_pn.ParticleNet(input_dims=7, num_classes=2, trim=False, **config)
    ours = ParticleNet(7, 2, **config)
    ours.load_state_dict(convert_particlenet_state_dict(reference.state_dict()))
    _, features, mask = _jets(7, seed=2)
    points = features[..., :2]
    for training in (True, False):
        reference.train(training)
        ours.train(training)
        ref = reference(points.transpose(1, 2), features.transpose(1, 2), mask[:, None])
        _assert_close(ours(points, features, mask), ref)


@pytest.mark.parametrize("prefix", ["mod.", "module.mod.", "module."])
def test_checkpoints_of_wrapped_nets_convert(prefix):
    # the ParT repository's example networks hold the net as self.mod; DataParallel adds module.
    torch.manual_seed(0)
    part = weaver_part.ParticleTransformer(input_dim=7, num_classes=2, trim=False, **PART_CONFIGS[0])
    net = weaver_pn.ParticleNet(input_dims=7, num_classes=2, **PARTICLENET_CONFIGS[0])
    cases = ((part.state_dict(), convert_part_state_dict), (net.state_dict(), convert_particlenet_state_dict))
    for state, convert in cases:
        wrapped = {prefix + key: value for key, value in state.items()}
        assert convert(wrapped).keys() == convert(state).keys()
