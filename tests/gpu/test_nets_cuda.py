"""Every net forward + backward on CUDA in float32 and bf16 autocast against a CPU float64 reference.

Tolerances (relative to the largest reference value, per output and per gradient):

- float32: 1e-3 for outputs, 1e-2 for parameter gradients (TF32 is off by default for float32
  matrix products; reductions run in a different order than on CPU);
- bf16 autocast: 0.1 for outputs, 0.3 for gradients (8-bit mantissa in the matrix products;
  norms, Minkowski products, attention and output layers stay in float32).

Also: packed equals padded on CUDA (FlexAttention against padded SDPA), and no net's training
forward and backward synchronises with the host (``torch.cuda.set_sync_debug_mode("error")``).
"""

from __future__ import annotations

import copy

import pytest
import torch

from lorentznets.interface import embed_vector
from lorentznets.layers.lorentznet import real_pairs
from lorentznets.nets import LGN, MLP, PELICAN, LGATr, LorentzNet, Transformer
from lorentznets.testing import assert_never_synchronises

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]

LENGTHS = (20, 7, 13, 16)
TOLERANCES = {"float32": (1e-3, 1e-2), "bf16": (0.1, 0.3)}


def _jets(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(len(LENGTHS), max(LENGTHS), 4, dtype=torch.float64, generator=g)
    p[..., 0] = p[..., 1:].norm(dim=-1) + 0.3
    mask = torch.arange(max(LENGTHS)) < torch.tensor(LENGTHS)[:, None]
    return p * mask[..., None], mask


def _lgatr() -> LGATr:
    return LGATr(
        num_blocks=2,
        in_mv_channels=1,
        out_mv_channels=1,
        hidden_mv_channels=8,
        in_s_channels=1,
        out_s_channels=1,
        hidden_s_channels=16,
        attention={"num_heads": 2},
        mlp={},
    )


def _lgatr_padded(net, p, mask):
    mv, s = net(embed_vector(p)[..., None, :], p[..., :1], mask=mask)
    return torch.cat([mv.flatten(-2), s], dim=-1)[mask]


def _lgatr_packed(net, p, mask):
    lengths = mask.sum(1)
    offsets = torch.cat([lengths.new_zeros(1), lengths.cumsum(0)])
    mv, s = net(embed_vector(p[mask])[:, None], p[mask][:, :1], offsets=offsets, max_length=mask.shape[1])
    return torch.cat([mv.flatten(-2), s], dim=-1)


CASES = {
    "lgatr_padded": (_lgatr, _lgatr_padded),
    "lgatr_packed": (_lgatr, _lgatr_packed),
    "pelican": (
        lambda: PELICAN(out_channels=2, hidden_channels=8, message_channels=8, num_blocks=2, encoder_channels=4),
        lambda net, p, mask: net(p, mask),
    ),
    "transformer": (
        lambda: Transformer(in_channels=4, out_channels=2, hidden_channels=16, num_blocks=2, num_heads=2),
        lambda net, p, mask: net(p, mask)[mask],
    ),
    "mlp": (
        lambda: MLP(in_channels=4, out_channels=2, hidden_channels=16, num_layers=2),
        lambda net, p, mask: net(p)[mask],
    ),
    "lorentznet": (
        lambda: LorentzNet(1, 2, hidden_channels=8, num_blocks=2),
        lambda net, p, mask: net(p[..., :1], p, mask),
    ),
    "lorentznet_edges": (
        lambda: LorentzNet(1, 2, hidden_channels=8, num_blocks=2),
        lambda net, p, mask: net(p[..., :1], p, mask, real_pairs(mask)),
    ),
    "lgn": (lambda: LGN(channels=(2, 3, 3), momentum_scale=0.5), lambda net, p, mask: net(p, mask)),
}


def _output_and_grads(net, run, p, mask, autocast: bool):
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
        out = run(net, p, mask)
    out = out.real if out.is_complex() else out
    out.double().square().sum().backward()
    grads = {name: param.grad.double().cpu() for name, param in net.named_parameters() if param.grad is not None}
    return out.double().cpu(), grads


@pytest.mark.parametrize("precision", ["float32", "bf16"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_cuda_matches_cpu_float64(case, precision):
    build, run = CASES[case]
    torch.manual_seed(0)
    reference_net = build().double()
    net = copy.deepcopy(reference_net).float().cuda()
    p, mask = _jets()
    expected, expected_grads = _output_and_grads(reference_net, run, p, mask, autocast=False)
    out, grads = _output_and_grads(net, run, p.float().cuda(), mask.cuda(), autocast=precision == "bf16")
    out_tol, grad_tol = TOLERANCES[precision]
    assert torch.isfinite(out).all()
    assert (out - expected).abs().max() <= out_tol * expected.abs().max()
    assert grads.keys() == expected_grads.keys()
    for name, grad in grads.items():
        scale = expected_grads[name].abs().max().clamp(min=1e-12)
        assert (grad - expected_grads[name]).abs().max() <= grad_tol * scale, name


def test_packed_flex_equals_padded_on_cuda():
    torch.manual_seed(0)
    net = _lgatr().cuda()
    p, mask = (t.cuda() for t in _jets(seed=1))
    p = p.float()
    padded = _lgatr_padded(net, p, mask)
    packed = _lgatr_packed(net, p, mask)
    torch.testing.assert_close(packed, padded, rtol=1e-4, atol=1e-5)
    packed.square().sum().backward()
    assert all(torch.isfinite(param.grad).all() for param in net.parameters() if param.grad is not None)


def test_compiled_lgatr_packed_matches_eager_on_cuda():
    torch.manual_seed(0)
    net = _lgatr().cuda()
    p, mask = (t.cuda() for t in _jets(seed=2))
    p = p.float()
    compiled = torch.compile(_lgatr_packed, fullgraph=True)
    torch.testing.assert_close(compiled(net, p, mask), _lgatr_packed(net, p, mask), rtol=1e-4, atol=1e-5)


def _host_inputs(p: torch.Tensor, mask: torch.Tensor) -> dict:
    """What the data boundary builds with each batch (it reads the mask on the host): edge lists and packed inputs."""
    lengths = mask.sum(1)
    return {
        "p": p,
        "mask": mask,
        "edges": real_pairs(mask),
        "packed": p[mask],
        "offsets": torch.cat([lengths.new_zeros(1), lengths.cumsum(0)]),
        "max_length": mask.shape[1],
    }


SYNC_FREE_CALLS = {
    "lgatr_padded": lambda net, i: net(embed_vector(i["p"])[..., None, :], i["p"][..., :1], mask=i["mask"]),
    "lgatr_packed": lambda net, i: net(
        embed_vector(i["packed"])[:, None], i["packed"][:, :1], offsets=i["offsets"], max_length=i["max_length"]
    ),
    "pelican": lambda net, i: net(i["p"], i["mask"]),
    "transformer": lambda net, i: net(i["p"], i["mask"]),
    "mlp": lambda net, i: net(i["p"]),
    "lorentznet": lambda net, i: net(i["p"][..., :1], i["p"], i["mask"]),
    "lorentznet_edges": lambda net, i: net(i["p"][..., :1], i["p"], i["mask"], i["edges"]),
    "lgn": lambda net, i: net(i["p"], i["mask"], None, i["edges"]),
}


@pytest.mark.parametrize("case", sorted(SYNC_FREE_CALLS))
def test_training_forward_and_backward_never_synchronise(case):
    """With its host inputs built beforehand, a net's training forward and backward pass never wait
    for the device (``torch.cuda.set_sync_debug_mode("error")`` raises on any synchronising call,
    including those inside kernels, e.g. nonzero or boolean indexing, which tracing cannot see)."""
    torch.manual_seed(0)
    net = CASES[case][0]().cuda().train()
    p, mask = _jets(seed=3)
    inputs = _host_inputs(p.float().cuda(), mask.cuda())
    call = SYNC_FREE_CALLS[case]

    def step() -> None:
        out = call(net, inputs)
        outputs = out if isinstance(out, tuple) else (out,)
        sum(t.real.float().square().mean() for t in outputs).backward()

    assert_never_synchronises(step)
