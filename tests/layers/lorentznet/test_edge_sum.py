import torch

from lorentznets.layers.lorentznet import real_pairs
from lorentznets.layers.lorentznet.edge_sum import edge_sum


def parts(dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    mask = torch.tensor([[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=torch.bool)
    edges = real_pairs(mask)
    a, b = (torch.randn(mask.numel(), 3, generator=g, dtype=dtype).requires_grad_() for _ in range(2))
    w = torch.randn(2, 3, generator=g, dtype=dtype).requires_grad_()
    pair = torch.randn(edges.shape[1], 2, generator=g, dtype=dtype).requires_grad_()
    return a, b, w, pair, edges


def test_values_and_gradients_equal_gather_and_add():
    a, b, w, pair, edges = parts()
    got = edge_sum(a, b, w, pair, edges)
    expected = a[edges[0]] + b[edges[1]] + pair @ w
    torch.testing.assert_close(got, expected, rtol=1e-14, atol=1e-14)
    upstream = torch.randn_like(expected)
    leaves = (a, b, w, pair)
    for got_grad, expected_grad in zip(
        torch.autograd.grad((got * upstream).sum(), leaves), torch.autograd.grad((expected * upstream).sum(), leaves)
    ):
        torch.testing.assert_close(got_grad, expected_grad, rtol=1e-14, atol=1e-14)
    assert torch.autograd.gradcheck(lambda *t: edge_sum(*t, edges), (a, b, w, pair))


def test_only_requested_gradients_and_promoted_dtype():
    a, b, w, pair, edges = parts(dtype=torch.float32)
    out = edge_sum(a.detach(), b, w.detach(), pair.detach().double(), edges)
    assert out.dtype == torch.float64
    (grad_b,) = torch.autograd.grad(out.sum(), (b,))
    assert grad_b.dtype == torch.float32
    # every sender j of a set of n real particles sends n - 1 edges
    torch.testing.assert_close(grad_b[:, 0], torch.tensor([2, 2, 2, 0, 1, 1, 0, 0, 0, 0, 0, 0.0]))


def test_no_edges():
    a, b, w, _, _ = parts()
    edges = torch.zeros(2, 0, dtype=torch.int64)
    out = edge_sum(a, b, w, torch.zeros(0, 2, dtype=torch.float64), edges)
    assert out.shape == (0, 3)
    out.sum().backward()
    assert a.grad is not None and not a.grad.any()


def test_second_derivatives():
    # the index_add backward is itself differentiable: a loss on an input gradient trains
    a, b, w, pair, edges = parts()
    assert torch.autograd.gradgradcheck(lambda *t: edge_sum(*t, edges).tanh(), (a, b, w, pair))


def test_under_torch_func_transforms_equals_gather_and_add():
    a, b, w, pair, edges = (t.detach() for t in parts())

    def reference(*t):
        a, b, w, pair = t
        return (a[edges[0]] + b[edges[1]] + pair @ w).tanh()

    def summed(*t):
        return edge_sum(*t, edges).tanh()

    argnums = (0, 1, 2, 3)
    expected = torch.autograd.functional.jacobian(reference, (a, b, w, pair))
    for transform in (torch.func.jacrev, torch.func.jacfwd):
        for got, e in zip(transform(summed, argnums=argnums)(a, b, w, pair), expected):
            torch.testing.assert_close(got, e, rtol=1e-14, atol=1e-14)
    stacked = [torch.stack((t, 2 * t)) for t in (a, b, w, pair)]
    mapped = torch.func.vmap(summed)(*stacked)
    torch.testing.assert_close(mapped[1], reference(*(2 * t for t in (a, b, w, pair))), rtol=1e-14, atol=1e-14)
