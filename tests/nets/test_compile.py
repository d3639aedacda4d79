"""The nets compile with ``torch.compile(fullgraph=True)`` (no graph break, no host sync) and match eager.

Each case compiles the forward pass (any graph break raises); the backward pass runs the graph
AOTAutograd compiled with it. The default run uses the ``aot_eager`` backend (Dynamo and
AOTAutograd capture forward and backward: the proof of no graph break and no host sync); the
same cases with Inductor code generation are marked slow (minutes of C++ compilation on 2
cores). Outputs and parameter gradients are compared with an eager copy of the same net in
float64. The tagging case compiles wrapper + loss in one function and takes two optimizer steps;
``torch.optim`` steps graph-break by design (pytorch issue 104053), so the optimizer runs eagerly
on the compiled gradients, as in the trainer.
"""

from __future__ import annotations

import copy

import pytest
import torch

from experiments.tagging.wrappers import LGATrTaggingWrapper
from lorentznets.interface import embed_vector
from lorentznets.nets import MLP, PELICAN, LGATr, Transformer

F64 = torch.float64
LENGTHS = (6, 3, 5)


@pytest.fixture(autouse=True)
def _fresh_dynamo():
    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


def _momenta(batch: int = len(LENGTHS), items: int = max(LENGTHS), seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(batch, items, 4, dtype=F64, generator=g)
    p[..., 0] = p[..., 1:].norm(dim=-1) + 0.5
    mask = torch.arange(items) < torch.tensor(LENGTHS)[:, None]
    # A padding column that no jet uses: the eager PELICAN drops it, the compiled one masks it.
    mask = torch.cat([mask, torch.zeros(batch, 1, dtype=torch.bool)], dim=1)
    p = torch.cat([p, torch.zeros(batch, 1, 4, dtype=F64)], dim=1)
    return p * mask[..., None], mask


def _lgatr() -> LGATr:
    torch.manual_seed(0)
    return LGATr(
        num_blocks=1,
        in_mv_channels=1,
        out_mv_channels=1,
        hidden_mv_channels=2,
        in_s_channels=1,
        out_s_channels=1,
        hidden_s_channels=4,
        attention={"num_heads": 2},
        mlp={},
    ).double()


BACKENDS = ["aot_eager", pytest.param("inductor", marks=pytest.mark.slow)]


def _compare(
    backend: str, net: torch.nn.Module, run, *inputs: torch.Tensor, rtol: float = 1e-9, atol: float = 1e-11
) -> None:
    """Compile ``run(net, *inputs)`` with fullgraph=True; outputs and gradients must equal eager."""
    eager_net = copy.deepcopy(net)
    compiled = torch.compile(run, fullgraph=True, dynamic=False, backend=backend)
    out = compiled(net, *inputs)
    expected = run(eager_net, *inputs)
    torch.testing.assert_close(out, expected, rtol=rtol, atol=atol)
    out.square().sum().backward()
    expected.square().sum().backward()
    for (name, param), eager_param in zip(net.named_parameters(), eager_net.parameters(), strict=True):
        assert param.grad is not None, name
        torch.testing.assert_close(param.grad, eager_param.grad, rtol=rtol, atol=atol, msg=name)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lgatr_packed_compiles(backend):
    p, mask = _momenta()
    x, s = embed_vector(p[mask])[:, None], p[mask][:, :1]
    offsets = torch.tensor([0, *torch.tensor(LENGTHS).cumsum(0).tolist()])

    def run(net, x, s, offsets):
        mv, out_s = net(x, s, offsets=offsets, max_length=max(LENGTHS))
        return torch.cat([mv.flatten(-2), out_s], dim=-1)

    _compare(backend, _lgatr(), run, x, s, offsets)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lgatr_padded_compiles(backend):
    p, mask = _momenta(seed=1)

    def run(net, p, mask):
        mv, out_s = net(embed_vector(p)[..., None, :], p[..., :1], mask=mask)
        return torch.cat([mv.flatten(-2), out_s], dim=-1)

    _compare(backend, _lgatr(), run, p, mask)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pelican_compiles(backend):
    p, mask = _momenta(seed=2)
    torch.manual_seed(0)
    net = PELICAN(
        out_channels=2, hidden_channels=4, message_channels=4, num_blocks=1, encoder_channels=3, readout_channels=4
    ).double()
    _compare(backend, net, lambda net, p, mask: net(p, mask), p, mask)


@pytest.mark.parametrize("backend", BACKENDS)
def test_transformer_and_mlp_compile(backend):
    p, mask = _momenta(seed=3)
    torch.manual_seed(0)
    transformer = Transformer(in_channels=4, out_channels=2, hidden_channels=8, num_blocks=1, num_heads=2).double()
    _compare(backend, transformer, lambda net, p, mask: net(p, mask), p, mask)
    mlp = MLP(in_channels=4, out_channels=2, hidden_channels=8, num_layers=2).double()
    _compare(backend, mlp, lambda net, p: net(p), p)


@pytest.mark.parametrize("backend", BACKENDS)
def test_tagging_training_step_compiles(backend):
    p, mask = _momenta(seed=4)
    labels = torch.tensor([1.0, 0.0, 1.0], dtype=F64)
    net = {"num_blocks": 1, "hidden_mv_channels": 2, "hidden_s_channels": 4, "attention": {"num_heads": 2}, "mlp": {}}
    torch.manual_seed(0)
    wrappers = [LGATrTaggingWrapper(net, out_channels=1, num_scalars=0).double()]
    wrappers.append(copy.deepcopy(wrappers[0]))
    optimizers = [torch.optim.AdamW(w.parameters(), lr=1e-2) for w in wrappers]

    def loss(wrapper, p, mask, labels):
        logits = wrapper(p, mask)[:, 0]
        return torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)

    steps = (torch.compile(loss, fullgraph=True, dynamic=False, backend=backend), loss)
    losses = []
    for wrapper, optimizer, step in zip(wrappers, optimizers, steps, strict=True):
        for _ in range(2):
            value = step(wrapper, p, mask, labels)
            value.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        losses.append(value.detach())
    torch.testing.assert_close(losses[0], losses[1], rtol=1e-9, atol=1e-12)
    for compiled, eager in zip(wrappers[0].parameters(), wrappers[1].parameters(), strict=True):
        torch.testing.assert_close(compiled, eager, rtol=1e-8, atol=1e-10)
