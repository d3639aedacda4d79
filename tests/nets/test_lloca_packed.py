"""LLoCa-Transformer on packed real tokens equals the padded computation (values and gradients,
float64), and the LLoCa tagging wrappers give the same logits with and without their host inputs."""

import pytest
import torch

from experiments.common.host_inputs import packing
from experiments.tagging.wrappers_lloca import (
    LLoCaParticleNetTaggingWrapper,
    LLoCaParTTaggingWrapper,
    LLoCaTransformerTaggingWrapper,
)
from lorentznets.lorentz import random_lorentz_transform
from lorentznets.nets.lloca_transformer import LLoCaTransformer


def _mask() -> torch.Tensor:
    mask = torch.ones(3, 6, dtype=torch.bool)
    mask[1, 4:] = False
    mask[2, 1:] = False
    return mask


@pytest.mark.parametrize("preserve_variance", [True, False])
def test_packed_tokens_give_the_padded_outputs_and_gradients(preserve_variance):
    torch.manual_seed(0)
    net = LLoCaTransformer(5, 2, "4x0n+2x1n+1x2n", num_heads=2, num_blocks=2, preserve_variance=preserve_variance)
    net = net.double()
    mask = _mask()
    features = torch.randn(3, 6, 5, dtype=torch.float64)
    frames = random_lorentz_transform((3, 6), max_rapidity=3.0, generator=torch.Generator().manual_seed(1)).double()
    jet = torch.tensor([[50.0, 3.0, -4.0, 20.0]], dtype=torch.float64).expand(3, 4)
    weights = torch.randn(3, 6, 2, dtype=torch.float64)
    results = []
    for host in ({}, packing(mask)):
        net.zero_grad()
        leaf = features.clone().requires_grad_(True)
        out = net(leaf, frames, mask, jet, **host) * mask[..., None]
        (out * weights).sum().backward()
        results.append([out, leaf.grad, *(p.grad for p in net.parameters())])
    for packed, padded in zip(results[1], results[0], strict=True):
        torch.testing.assert_close(packed, padded, rtol=1e-10, atol=1e-12)


FRAMES = {"kind": "learned", "method": "polar", "vector_net": {"hidden_channels": 8}}


def _wrapper(kind: str) -> torch.nn.Module:
    if kind == "transformer":
        return LLoCaTransformerTaggingWrapper({"attn_reps": "4x0n+1x1n", "num_heads": 2, "num_blocks": 1}, 1, 1, FRAMES)
    if kind == "part":
        net = {"attn_reps": "4x0n+1x1n", "num_heads": 2, "pair_embed_dims": [4], "num_layers": 1}
        net.update(dropout=0.0, attn_dropout=0.0, activation_dropout=0.0)
        return LLoCaParTTaggingWrapper(net, 1, 1, FRAMES)
    net = {"conv_params": [[2, [8]], [2, [8]]], "hidden_reps": ["4x0n+1x1n"], "fc_params": [[4, 0.0]]}
    return LLoCaParticleNetTaggingWrapper(net, 1, 1, FRAMES)


@pytest.mark.parametrize("kind", ["transformer", "part", "particlenet"])
def test_wrappers_give_the_same_logits_with_host_inputs(kind):
    torch.manual_seed(0)
    wrapper = _wrapper(kind).double().eval()
    wrapper.set_momentum_scale(5.0)
    mask = _mask()
    mask[2, 1] = True  # ParticleNet's neighbour search needs two particles
    generator = torch.Generator().manual_seed(2)
    spatial = 5 * torch.randn(3, 6, 3, generator=generator, dtype=torch.float64)
    momenta = torch.cat(((spatial.square().sum(-1, keepdim=True) + 1).sqrt(), spatial), -1) * mask[..., None]
    scalars = torch.randn(3, 6, 1, dtype=torch.float64)
    host = wrapper.host_inputs(mask)
    assert "frame_pairs" in host
    torch.testing.assert_close(wrapper(momenta, mask, scalars, **host), wrapper(momenta, mask, scalars))
