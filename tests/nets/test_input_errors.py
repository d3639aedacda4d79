"""Bad inputs are refused in ``forward`` with one clear error naming the input (shapes and dtypes
only); half-precision inputs run in the parameters' precision."""

import pytest
import torch

from lorentznets.nets import (
    MLP,
    LLoCaParticleNet,
    LLoCaParticleTransformer,
    LLoCaTransformer,
    ParticleNet,
    ParticleTransformer,
    Transformer,
)

B, N = 3, 5
PN_CONV = ((2, (6,)), (2, (6,)))


def _inputs():
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(B, N, 8, generator=generator)
    spatial = torch.randn(B, N, 3, generator=generator)
    momenta = torch.cat(((spatial.square().sum(-1, keepdim=True) + 1).sqrt(), spatial), -1)
    frames = torch.eye(4).expand(B, N, 4, 4).clone()
    mask = torch.ones(B, N, dtype=torch.bool)
    mask[0, 3:] = False
    return features, momenta, frames, mask


def _lloca_transformer():
    torch.manual_seed(0)
    return LLoCaTransformer(8, 1, "2x0n+1x1n", num_heads=2, num_blocks=1).eval()


def _lloca_part():
    torch.manual_seed(0)
    return LLoCaParticleTransformer(8, 1, "2x0n+1x1n", num_heads=2, pair_embed_dims=(4,), num_layers=1).eval()


def _lloca_pn():
    torch.manual_seed(0)
    return LLoCaParticleNet(8, 1, PN_CONV, ("2x0n+1x1n",), fc_params=()).eval()


def test_lloca_transformer_refuses_float_mask():
    """A 0/1 float mask was an additive attention bias: padded particles were attended."""
    net = _lloca_transformer()
    features, momenta, frames, mask = _inputs()
    reference = momenta.sum(1)
    with pytest.raises(ValueError, match=r"LLoCaTransformer: mask must be a bool .* got torch\.float32 \(3, 5\)"):
        net(features, frames, mask.float(), reference)
    with pytest.raises(ValueError, match=r"mask must be a bool .* got torch\.int64"):
        net(features, frames, mask.long(), reference)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f, fr, m, r: (f, fr, m[:, :4], r), r"features must have shape \(3, 4, 8\) for the mask"),
        (lambda f, fr, m, r: (f, fr, torch.ones(4, 3, dtype=torch.bool), r), r"features must have shape \(4, 3, 8\)"),
        (lambda f, fr, m, r: (f, fr[:, :4], m, r), r"frames must have shape \(3, 5, 4, 4\) .* got \(3, 4, 4, 4\)"),
        (
            lambda f, fr, m, r: (f, fr[..., :3, :3], m, r),
            r"frames must have shape \(3, 5, 4, 4\) .* got \(3, 5, 3, 3\)",
        ),
        (lambda f, fr, m, r: (f[..., :7], fr, m, r), r"features must have shape \(3, 5, 8\) .* got \(3, 5, 7\)"),
        (lambda f, fr, m, r: (f[0], fr[0], m[0], r[0]), r"mask must be a bool tensor of shape \(B, N\), got .* \(5,\)"),
        (lambda f, fr, m, r: (f[0], fr[0], None, r[0]), r"features must have shape \(B, N, 8\), got \(5, 8\)"),
        (lambda f, fr, m, r: (f, fr, m, r[:, :3]), r"reference must have shape \(3, 4\)"),
    ],
)
def test_lloca_transformer_shape_errors(change, message):
    net = _lloca_transformer()
    features, momenta, frames, mask = _inputs()
    with pytest.raises(ValueError, match=message):
        net(*change(features, frames, mask, momenta.sum(1)))


def test_lloca_transformer_dtype_errors():
    net = _lloca_transformer()
    features, momenta, frames, mask = _inputs()
    with pytest.raises(TypeError, match=r"LLoCaTransformer: features are torch\.float64, but .* torch\.float32"):
        net(features.double(), frames.double(), mask, momenta.sum(1).double())
    with pytest.raises(TypeError, match=r"LLoCaTransformer: frames are torch\.float64"):
        net(features, frames.double(), mask, momenta.sum(1))


def test_lloca_part_and_particlenet_frame_shapes():
    features, momenta, frames, mask = _inputs()
    with pytest.raises(ValueError, match=r"LLoCaParticleTransformer: frames must have shape \(3, 5, 4, 4\)"):
        _lloca_part()(features, momenta, frames[:, :4], mask, momenta.sum(1))
    with pytest.raises(ValueError, match=r"LLoCaParticleTransformer: frames must have shape \(3, 5, 4, 4\)"):
        _lloca_part()(features, momenta, frames[..., :3, :3], mask, momenta.sum(1))
    with pytest.raises(ValueError, match=r"LLoCaParticleNet: frames must have shape \(3, 5, 4, 4\) .* \(3, 4, 4, 4\)"):
        _lloca_pn()(features[..., :2], features, frames[:, :4], mask)
    with pytest.raises(ValueError, match=r"LLoCaParticleNet: mask must be a bool"):
        _lloca_pn()(features[..., :2], features, frames, mask.float())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_inputs_run_in_float32(dtype):
    """Lower precisions pass the dtype check (the autocast convention) and are cast up."""
    features, momenta, frames, mask = _inputs()
    torch.manual_seed(0)
    part = ParticleTransformer(8, 1, embed_dims=(8,), pair_embed_dims=(4,), num_heads=2, num_layers=1).eval()
    torch.manual_seed(0)
    pn = ParticleNet(8, 1, PN_CONV, fc_params=()).eval()
    lloca_part, lloca_pn = _lloca_part(), _lloca_pn()
    calls = {
        "ParT": lambda f, p, fr: part(f, p, mask),
        "ParticleNet": lambda f, p, fr: pn(f[..., :2], f, mask),
        "LLoCaParT": lambda f, p, fr: lloca_part(f, p, fr, mask, p.float().sum(1)),
        "LLoCaParticleNet": lambda f, p, fr: lloca_pn(f[..., :2], f, fr, mask),
    }
    rounded = [x.to(dtype).float() for x in (features, momenta, frames)]
    for name, call in calls.items():
        with torch.no_grad():
            out = call(features.to(dtype), momenta.to(dtype), frames.to(dtype))
            expected = call(*rounded)
        assert out.dtype == torch.float32, name
        torch.testing.assert_close(out, expected, msg=name)


def test_mlp_and_transformer_name_dtype_and_channels():
    mlp = MLP(4, 1, 8, 2)
    with pytest.raises(TypeError, match=r"MLP: x are torch\.float64, but the network's parameters are torch\.float32"):
        mlp(torch.randn(2, 4, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"MLP: x must have shape \(\.\.\., 4\), got \(2, 3\)"):
        mlp(torch.randn(2, 3))
    assert mlp(torch.randn(2, 4, dtype=torch.float16)).dtype == torch.float32
    transformer = Transformer(4, 1, 8, 1, 2)
    mask = torch.ones(2, 5, dtype=torch.bool)
    with pytest.raises(TypeError, match=r"Transformer: x are torch\.float64, but .* torch\.float32"):
        transformer(torch.randn(2, 5, 4, dtype=torch.float64), mask)
    with pytest.raises(ValueError, match=r"Transformer: x must have shape \(2, 5, 4\) for the mask, got \(2, 5, 3\)"):
        transformer(torch.randn(2, 5, 3), mask)
    with pytest.raises(ValueError, match=r"Transformer: x must have shape \(B, N, 4\), got \(2, 5, 3\)"):
        transformer(torch.randn(2, 5, 3))
    with pytest.raises(
        ValueError, match=r"Transformer: mask must be a bool tensor of shape \(B, N\), got torch\.float32 \(2, 5\)"
    ):
        transformer(torch.randn(2, 5, 4), mask.float())


def test_a_low_precision_net_takes_inputs_of_its_own_precision():
    features, momenta, frames, mask = _inputs()
    transformer = Transformer(8, 1, 8, 1, 2).to(torch.bfloat16).eval()
    lloca = _lloca_transformer().to(torch.bfloat16)
    with torch.no_grad():
        assert transformer(features.bfloat16(), mask).dtype == torch.bfloat16
        assert MLP(8, 1, 8, 1).to(torch.bfloat16)(features[:, 0].bfloat16()).dtype == torch.bfloat16
        reference = momenta.sum(1).bfloat16()
        assert lloca(features.bfloat16(), frames.bfloat16(), mask, reference).dtype == torch.bfloat16


def test_lloca_particlenet_keeps_float64_frames():
    """to_centre_frames asks for float64 frames of strongly boosted jets, also in a float32 net."""
    features, _, frames, mask = _inputs()
    net = _lloca_pn()
    with torch.no_grad():
        torch.testing.assert_close(
            net(features[..., :2], features, frames.double(), mask), net(features[..., :2], features, frames, mask)
        )
