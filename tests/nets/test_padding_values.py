"""Padded slots may hold anything: NaN-padded and zero-padded batches give the same outputs for the
real particles in every net (eval mode), eager and compiled; LLoCa-Transformer's padded outputs
are zero."""

import pytest
import torch

from lorentznets import embed_vector
from lorentznets.nets import (
    LGATr,
    LLoCaParticleNet,
    LLoCaParticleTransformer,
    LLoCaTransformer,
    LorentzNet,
    ParticleNet,
    ParticleTransformer,
    PELICANRegressor,
    Transformer,
)
from lorentznets.nets.pelican import PELICAN

MASK = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)


def _momenta() -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    spatial = 10 * torch.randn(2, 5, 3, generator=generator)
    return torch.cat(((spatial.square().sum(-1, keepdim=True) + 1).sqrt(), spatial), -1)


def _nan_padded(x: torch.Tensor) -> torch.Tensor:
    x = x.clone()
    x[~MASK] = float("nan")
    return x


def _zero_padded(x: torch.Tensor) -> torch.Tensor:
    return x.masked_fill(~MASK.reshape(*MASK.shape, *(1,) * (x.dim() - 2)), 0.0)


def _eye() -> torch.Tensor:
    return torch.eye(4).expand(2, 5, 4, 4)


def net_cases():
    """name -> (net, call(net, p, frames, mask))."""
    torch.manual_seed(0)
    pn = ((2, (6,)), (2, (6,)))
    return {
        "PELICANRegressor": (
            PELICANRegressor(
                readout_channels=4, hidden_channels=4, message_channels=4, num_blocks=1, encoder_channels=4
            ),
            lambda net, p, f, mask: net(p, mask),
        ),
        "PELICAN scalars": (
            PELICAN(
                out_channels=1,
                readout_channels=4,
                hidden_channels=4,
                message_channels=4,
                num_blocks=1,
                encoder_channels=4,
                in_scalar_channels=2,
            ),
            lambda net, p, f, mask: net(p, mask, p[..., :2] / 50),
        ),
        "LorentzNet": (
            LorentzNet(2, 1, hidden_channels=4, num_blocks=1),
            lambda net, p, f, mask: net(p[..., :2] / 50, p, mask),
        ),
        "Transformer": (Transformer(4, 1, 8, 1, 2), lambda net, p, f, mask: net(p / 50, mask)),
        "ParticleTransformer": (
            ParticleTransformer(
                4, 1, embed_dims=(8,), pair_embed_dims=(4,), num_heads=2, num_layers=1, num_cls_layers=1
            ),
            lambda net, p, f, mask: net(p / 50, p, mask),
        ),
        "ParticleNet": (
            ParticleNet(4, 1, conv_params=pn, fc_params=()),
            lambda net, p, f, mask: net(p[..., 1:3], p, mask),
        ),
        "LLoCaTransformer": (
            LLoCaTransformer(4, 1, "2x0n+1x1n", num_heads=2, num_blocks=1),
            lambda net, p, f, mask: net(p / 50, f, mask, p[:, 0]),
        ),
        "LLoCaParticleTransformer": (
            LLoCaParticleTransformer(4, 1, "2x0n+1x1n", num_heads=2, pair_embed_dims=(4,), num_layers=1),
            lambda net, p, f, mask: net(p / 50, p, f, mask, p[:, 0]),
        ),
        "LLoCaParticleNet": (
            LLoCaParticleNet(4, 1, pn, ("2x0n+1x1n",), fc_params=()),
            lambda net, p, f, mask: net(p[..., 1:3], p, f, mask),
        ),
        "LGATr": (
            LGATr(1, 1, 1, 4, 0, 1, 4, {"num_heads": 2}, {}),
            lambda net, p, f, mask: net(embed_vector(p).unsqueeze(-2), mask=mask)[1],
        ),
    }


CASES = sorted(net_cases())


@pytest.mark.parametrize("name", CASES)
def test_nan_padding_leaves_real_outputs_unchanged(name):
    net, call = net_cases()[name]
    net.eval()
    p, frames = _momenta(), _eye()
    with torch.no_grad():
        zero = call(net, _zero_padded(p), frames, MASK)
        nan = call(net, _nan_padded(p), _nan_padded(frames), MASK)
    assert torch.isfinite(zero).all()
    if zero.dim() == 3:  # per-particle outputs: the real particles'
        zero, nan = zero[MASK], nan[MASK]
    torch.testing.assert_close(nan, zero, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["LGATr", "Transformer", "LLoCaTransformer"])
def test_nan_padding_compiled(name):
    """The compiled nets run padded (L-GATr packs only in eager CPU runs): the same real outputs."""
    net, call = net_cases()[name]
    net.eval()
    p, frames = _momenta(), _eye()
    compiled = torch.compile(net, fullgraph=True, backend="eager")
    with torch.no_grad():
        eager = call(net, _zero_padded(p), frames, MASK)
        nan = call(compiled, _nan_padded(p), _nan_padded(frames), MASK)
    torch.testing.assert_close(nan[MASK], eager[MASK], rtol=1e-5, atol=1e-6)


def test_lloca_transformer_padded_outputs_are_zero():
    torch.manual_seed(0)
    net = LLoCaTransformer(4, 3, "2x0n+1x1n", num_heads=2, num_blocks=1).eval()
    p = _momenta()
    with torch.no_grad():
        out = net(p / 50, _eye(), MASK, p[:, 0])
    assert torch.equal(out[~MASK], torch.zeros_like(out[~MASK]))
    assert (out[MASK] != 0).any()
