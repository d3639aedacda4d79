"""Nets under ``torch.func.vmap``: mapping one jet at a time gives the batched outputs, and
per-jet Jacobians (``vmap(jacrev(...))``) equal those of single-jet calls.

PELICAN and L-GATr drop or pack padding by reading the mask in eager CPU runs; under a
``torch.func`` transform they must take the padded path instead (vmap refuses value-dependent
sizes), and L-GATr's custom autograd Functions their pure-torch paths. Not covered: the ParT-based
nets with gradients (torch's CPU attention kernel has no gradient with respect to a float attention
bias under vmap); their inference under ``vmap`` and ``no_grad`` is checked.
"""

import pytest
import torch

from lorentznets.utils.value_sized import value_sized_allowed

from .test_empty_batch import _cases
from .test_padding_values import MASK, _eye, _momenta

WITHOUT_GRADIENTS = {"LLoCaParticleTransformer", "ParticleTransformer"}
# packed L-GATr: its call packs the jets by a boolean mask, which vmap cannot batch;
# SymmetricTensorAttention: -inf scores, as documented
UNSUPPORTED = {"LGATr packed", "SymmetricTensorAttention"}


def _single(call, net):
    return lambda p, frames, mask: call(net, p[None], frames[None], mask[None])[0]


@pytest.mark.parametrize("name", sorted(set(_cases()) - UNSUPPORTED))
def test_vmap_over_jets_equals_the_batch(name):
    net, call = _cases()[name]
    net = net.double().eval()
    p, frames = _momenta().double(), _eye().double()
    with torch.no_grad():
        expected = call(net, p, frames, MASK)
        mapped = torch.func.vmap(_single(call, net))(p, frames, MASK)
    torch.testing.assert_close(mapped, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(set(_cases()) - UNSUPPORTED - WITHOUT_GRADIENTS))
def test_per_jet_jacobians_under_vmap(name):
    net, call = _cases()[name]
    net = net.double().eval()
    p, frames = _momenta().double(), _eye().double()
    single = _single(call, net)
    jacobians = torch.func.vmap(torch.func.jacrev(single))(p, frames, MASK)
    for jet in range(len(p)):
        expected = torch.func.jacrev(single)(p[jet], frames[jet], MASK[jet])
        torch.testing.assert_close(jacobians[jet], expected, rtol=1e-10, atol=1e-12)


def test_value_sized_paths_are_off_under_transforms():
    x = torch.zeros(3, 2)
    assert value_sized_allowed(x)
    seen = []
    torch.func.vmap(lambda row: seen.append(value_sized_allowed(row)) or row)(x)
    torch.func.grad(lambda row: seen.append(value_sized_allowed(row)) or row.sum())(x[0])
    assert seen == [False, False]
