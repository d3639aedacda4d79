"""A batch of no jets (B = 0), e.g. the last shard of a split, gives an empty output of the
documented shape in every net and head, eager and compiled; its backward pass runs and a training
step on it leaves the batch-norm statistics as they are."""

import pytest
import torch

from lorentznets import embed_vector
from lorentznets.assignment.event_heads import EventHeads
from lorentznets.assignment.event_targets import RegressionTarget
from lorentznets.assignment.heads import DetectionHead, SymmetricTensorAttention
from lorentznets.nets import LGN, MLP, PELICAN

from .test_padding_values import MASK, _eye, _momenta, net_cases


def _cases():
    """name -> (net, call(net, p, frames, mask)): the nets of the padding test and the others."""
    cases = net_cases()
    torch.manual_seed(0)
    pelican = {"readout_channels": 4, "hidden_channels": 4, "message_channels": 4, "num_blocks": 1}
    cases |= {
        "LGN": (LGN(channels=(2, 2), num_basis=2, mlp_depth=1), lambda net, p, f, mask: net(p, mask)),
        "LGATr packed": (
            cases["LGATr"][0],
            lambda net, p, f, mask: net(embed_vector(p[mask]).unsqueeze(-2), offsets=_offsets(mask), max_length=5)[0],
        ),
        "MLP": (MLP(4, 1, 8, 1), lambda net, p, f, mask: net(p)),
        "PELICAN particle": (
            PELICAN(out_channels=1, readout="particle", encoder_channels=4, **pelican),
            lambda net, p, f, mask: net(p, mask),
        ),
        "SymmetricTensorAttention": (
            SymmetricTensorAttention(4, [(0, 1), (1, 0)], rank=4),
            lambda net, p, f, mask: net(p, mask)[0],
        ),
        "DetectionHead": (DetectionHead(4), lambda net, p, f, mask: net(p, mask)),
        "EventHeads": (
            EventHeads(4, [RegressionTarget("EVENT/m")], ["EVENT/signal"], [2]),
            lambda net, p, f, mask: torch.cat(net(p, mask)[1], dim=-1),
        ),
    }
    return cases


def _offsets(mask: torch.Tensor) -> torch.Tensor:
    return torch.cat((mask.new_zeros(1, dtype=torch.int64), mask.sum(1).cumsum(0)))


CASES = sorted(_cases())


@pytest.mark.parametrize("name", CASES)
def test_empty_batch_gives_empty_output(name):
    net, call = _cases()[name]
    net.train()
    p, frames = _momenta(), _eye()
    shape = call(net, p, frames, MASK).shape  # also fills the batch-norm statistics
    statistics = {key: value.clone() for key, value in net.state_dict().items() if value.is_floating_point()}
    empty = p[:0].requires_grad_()
    out = call(net, empty, frames[:0], MASK[:0])
    assert out.shape == (0, *shape[1:])
    out.square().sum().backward()
    assert empty.grad.shape == empty.shape
    for key, value in net.state_dict().items():
        if key in statistics:
            torch.testing.assert_close(value, statistics[key], rtol=0, atol=0, msg=key)


# one of the nets whose reshapes failed on an empty batch in the default run (5-15 s each to
# compile on 2 cores); the others are slow
COMPILED = ["LGN"]


@pytest.mark.parametrize(
    "name", [name if name in COMPILED else pytest.param(name, marks=pytest.mark.slow) for name in CASES]
)
def test_empty_batch_compiled(name):
    net, call = _cases()[name]
    torch._dynamo.reset()
    compiled = torch.compile(
        lambda p, f, mask: call(net, p, f, mask), fullgraph=True, dynamic=False, backend="aot_eager"
    )
    p = _momenta()[:0].requires_grad_()
    out = compiled(p, _eye()[:0], MASK[:0])
    assert out.shape[0] == 0
    out.sum().backward()
    torch._dynamo.reset()


@pytest.mark.parametrize("name", ["LGATr", "LGN"])
@pytest.mark.parametrize("slots", ["none", "all padded"])
def test_no_real_particle_gives_finite_outputs(name, slots):
    # jets without particle slots (N = 0) or with only padding: failed in reshapes before
    net, call = _cases()[name]
    net.eval()
    p, mask = _momenta(), MASK
    if slots == "none":
        p, mask = p[:, :0], mask[:, :0]
    else:
        mask = torch.zeros_like(mask)
    out = call(net, p, _eye()[:, : p.shape[1]], mask)
    assert out.shape[0] == len(p)
    assert torch.isfinite(out).all()
