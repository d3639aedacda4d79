import pytest
import torch

from lorentznets.layers.lorentznet import MaskedBatchNorm1d, real_pairs
from lorentznets.layers.lorentznet.pair_batch_norm import complete_graph_batch_norm

HIDDEN = 4


def inputs(mask: torch.Tensor, seed: int = 0, offset: float = 0.0):
    """Per-particle parts a, b (with a common offset), pair weights and pair features."""
    g = torch.Generator().manual_seed(seed)
    flat = mask.numel()
    a = (torch.randn(flat, HIDDEN, generator=g, dtype=torch.float64) + offset).requires_grad_()
    b = (torch.randn(flat, HIDDEN, generator=g, dtype=torch.float64) - offset).requires_grad_()
    w = torch.randn(2, HIDDEN, generator=g, dtype=torch.float64).requires_grad_()
    edges = real_pairs(mask)
    pair = torch.randn(edges.shape[1], 2, generator=g, dtype=torch.float64).requires_grad_()
    return a, b, w, pair, edges


def norms(seed: int = 0) -> tuple[MaskedBatchNorm1d, MaskedBatchNorm1d]:
    torch.manual_seed(seed)
    norm = MaskedBatchNorm1d(HIDDEN).double()
    with torch.no_grad():
        norm.weight.uniform_(0.5, 2)
        norm.bias.normal_()
        norm.running_mean.normal_()
    reference = MaskedBatchNorm1d(HIDDEN).double()
    reference.load_state_dict(norm.state_dict())
    return norm, reference


MASKS = {
    "ragged": torch.tensor([[1, 1, 1, 1, 0], [1, 0, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool),
    "singletons and empty": torch.tensor([[1, 0, 0], [0, 0, 0], [1, 1, 1]], dtype=torch.bool),
    "no pairs": torch.tensor([[1, 0], [0, 1]], dtype=torch.bool),
}


@pytest.mark.parametrize("name", MASKS)
def test_equals_batch_norm_over_the_edges_values_gradients_and_running_statistics(name):
    mask = MASKS[name]
    norm, reference = norms()
    a, b, w, pair, edges = inputs(mask, offset=3.0)
    z = a[edges[0]] + b[edges[1]] + pair @ w
    expected = reference(z)
    a2, b2, w2 = complete_graph_batch_norm(norm, a, b, w, pair, edges, mask)
    got = a2[edges[0]] + b2[edges[1]] + pair @ w2
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    for name_, buffer in reference.named_buffers():
        torch.testing.assert_close(getattr(norm, name_), buffer, rtol=1e-12, atol=1e-12)
    if not len(edges[0]):
        return
    upstream = torch.randn_like(expected)
    leaves = (a, b, w, pair, norm.weight, norm.bias)
    got_grads = torch.autograd.grad((got * upstream).sum(), leaves)
    leaves_ref = (a, b, w, pair, reference.weight, reference.bias)
    expected_grads = torch.autograd.grad((expected * upstream).sum(), leaves_ref)
    for got_grad, expected_grad in zip(got_grads, expected_grads):
        torch.testing.assert_close(got_grad, expected_grad, rtol=1e-10, atol=1e-10)


def test_float32_parts_give_float32_edges_with_float64_accurate_statistics():
    """A large common offset cancels in z: the float64 sums keep the variance, the float32 inputs set the error."""
    mask = MASKS["ragged"]
    norm, reference = norms(seed=1)
    a, b, w, pair, edges = inputs(mask, seed=1, offset=1e3)
    a32, b32, w32, pair32 = (t.detach().float() for t in (a, b, w, pair))
    out = complete_graph_batch_norm(norm.float(), a32, b32, w32, pair32, edges, mask)
    assert all(t.dtype == torch.float32 for t in out)
    got = out[0][edges[0]].double() + out[1][edges[1]].double() + pair32.double() @ out[2].double()
    expected = reference(a32.double()[edges[0]] + b32.double()[edges[1]] + pair32.double() @ w32.double())
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-5)
