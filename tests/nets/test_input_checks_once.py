"""A net checks its input layout once per forward, at the outermost public entry: the LLoCa nets
run their backbone's unchecked path, and the Transformer's mask check is check_particle_layout."""

import pytest
import torch

from lorentznets.nets import Transformer, input_layout, lloca_part, lloca_particlenet, part, particlenet, transformer

from .test_input_errors import _inputs, _lloca_part, _lloca_pn


@pytest.fixture
def calls(monkeypatch):
    """The names of the nets that called check_particle_layout."""
    names = []

    def counted(net, *args, **kwargs):
        names.append(net)
        return input_layout.check_particle_layout(net, *args, **kwargs)

    for module in (lloca_part, lloca_particlenet, part, particlenet, transformer):
        monkeypatch.setattr(module, "check_particle_layout", counted, raising=False)
    return names


@pytest.mark.parametrize(
    ("build", "call", "name"),
    [
        (_lloca_part, lambda net, f, p, fr, m: net(f, p, fr, m, p.sum(1)), "LLoCaParticleTransformer"),
        (_lloca_pn, lambda net, f, p, fr, m: net(p[..., 1:3], f, fr, m), "LLoCaParticleNet"),
        (lambda: Transformer(8, 1, 8, 1, 2), lambda net, f, p, fr, m: net(f, m), "Transformer"),
    ],
)
def test_the_layout_is_checked_once_per_forward(calls, build, call, name):
    features, momenta, frames, mask = _inputs()
    with torch.no_grad():
        call(build().eval(), features, momenta, frames, mask)
    assert calls == [name]
