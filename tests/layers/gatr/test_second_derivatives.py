"""Second derivatives and ``torch.func`` transforms through the custom autograd Functions of the
L-GATr layers: the chunked geometric product and the equivariant linear map.

Double backward (``create_graph=True``) must give the derivatives of a pure-torch reference
(``gradgradcheck``: finite differences of the first backward), and the transforms must run on the
pure-torch paths (``vmap`` cannot batch ``out=`` writes, forward mode has no rule for the Functions).
"""

import pytest
import torch
from torch.autograd import gradgradcheck

from lorentznets.layers.gatr import geometric_product
from lorentznets.layers.gatr.geometric_product import paired_geometric_product, paired_product_table
from lorentznets.layers.gatr.linear import EquivariantLinear

F64 = torch.float64


def _pair(shape=(8, 3, 4), seed=0):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(shape, dtype=F64, generator=g).requires_grad_() for _ in range(2))


@pytest.fixture
def small_chunks(monkeypatch):
    # 2-row chunks: the 9 rows of the rows tests and the 6 of the paired tests span several chunks
    monkeypatch.setattr(geometric_product, "CHUNK_ROWS", 2)


def test_product_function_gradgradcheck_over_chunks(small_chunks):
    table = paired_product_table(F64)
    xr, yr = _pair((9, 16))
    product = geometric_product._PairedGeometricProduct.apply
    assert gradgradcheck(lambda a, b: product(a, b, table), (xr, yr))
    # one input without gradient: the other's second derivative alone
    assert gradgradcheck(lambda a: product(a, yr.detach(), table), (xr,))


def test_paired_product_gradgradcheck_and_third_derivative(small_chunks):
    x, y = _pair()
    assert gradgradcheck(paired_geometric_product, (x, y))

    def grad_x(a, b):  # the second backward differentiated once more: the chunked path again
        (g,) = torch.autograd.grad(paired_geometric_product(a, b).sin().sum(), a, create_graph=True)
        return g

    assert gradgradcheck(grad_x, (x, y))


def _input_gradient_penalty(product, x, y):
    out = product(x, y)
    (gx,) = torch.autograd.grad(out.tanh().sum(), x, create_graph=True)
    return gx.square().sum()


def test_input_gradient_penalty_equals_unchunked_reference(small_chunks):
    x, y = _pair()
    table = paired_product_table(F64)

    def reference(a, b):
        rows = geometric_product._unchunked_product(
            geometric_product._components_last(a.flatten(1, -2)),
            geometric_product._components_last(b.flatten(1, -2)),
            table,
        )
        return geometric_product._components_first(rows, a.shape[1:-1].numel(), a.shape[-1] // 2).reshape(a.shape)

    got = torch.autograd.grad(_input_gradient_penalty(paired_geometric_product, x, y), (x, y))
    expected = torch.autograd.grad(_input_gradient_penalty(reference, x, y), (x, y))
    for g, e in zip(got, expected):
        assert e.abs().max() > 1e-3
        torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-12)


def test_plain_backward_builds_no_graph():
    x, y = _pair()
    gx, gy = torch.autograd.grad(paired_geometric_product(x, y).sum(), (x, y))
    assert gx.grad_fn is None and gy.grad_fn is None


def test_product_under_torch_func_transforms():
    x, y = (t.detach() for t in _pair())

    def one(a, b):  # one item: (8, 2C) multivectors
        return paired_geometric_product(a, b)

    batched = paired_geometric_product(x, y)
    mapped = torch.func.vmap(one, in_dims=(1, 1), out_dims=1)(x, y)
    torch.testing.assert_close(mapped, batched, rtol=1e-14, atol=1e-14)
    a, b = x[:, 0], y[:, 0]
    reverse = torch.func.jacrev(one, argnums=(0, 1))(a, b)
    forward = torch.func.jacfwd(one, argnums=(0, 1))(a, b)
    expected = torch.autograd.functional.jacobian(one, (a, b))
    for r, f, e in zip(reverse, forward, expected):
        torch.testing.assert_close(r, e, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(f, e, rtol=1e-12, atol=1e-12)
    per_item = torch.func.vmap(torch.func.jacrev(one), in_dims=(1, 1))(x, y)
    torch.testing.assert_close(per_item[0], expected[0], rtol=1e-12, atol=1e-12)


LINEAR_CASES = {
    "scalars in and out": dict(in_s_channels=2, out_s_channels=3),
    "scalars in and out, no bias": dict(in_s_channels=2, out_s_channels=3, bias=False),
    "multivector bias": dict(),
    "scalars out only": dict(out_s_channels=2),
    "scalars in only, full group": dict(in_s_channels=2, subgroup=False),
}


def _linear_case(kw):
    torch.manual_seed(0)
    layer = EquivariantLinear(2, 3, **kw).double()
    names = [name for name, _ in layer.named_parameters()]
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 4, 4, dtype=F64, generator=g).requires_grad_()
    s = torch.randn(4, kw["in_s_channels"], dtype=F64, generator=g).requires_grad_() if "in_s_channels" in kw else None

    def apply(x, s, *params):
        out, out_s = torch.func.functional_call(layer, dict(zip(names, params)), (x, s))
        return (out, out_s) if out_s is not None else out

    params = tuple(p.detach().clone().requires_grad_() for p in layer.parameters())
    return apply, x, s, params


@pytest.mark.parametrize("kw", LINEAR_CASES.values(), ids=LINEAR_CASES.keys())
def test_linear_gradgradcheck(kw):
    apply, x, s, params = _linear_case(kw)
    if s is None:
        assert gradgradcheck(lambda x, *p: apply(x, None, *p), (x, *params))
    else:
        assert gradgradcheck(apply, (x, s, *params))


@pytest.mark.parametrize("kw", LINEAR_CASES.values(), ids=LINEAR_CASES.keys())
def test_linear_under_torch_func_transforms(kw):
    apply, x, s, params = _linear_case(kw)
    x, params = x.detach(), tuple(p.detach() for p in params)
    s = None if s is None else s.detach()

    def first_output(x, *params):
        out = apply(x, s, *params)
        return out[0] if isinstance(out, tuple) else out

    expected = torch.autograd.functional.jacobian(first_output, (x, *params))
    for got in (torch.func.jacrev, torch.func.jacfwd):
        for g, e in zip(got(first_output, argnums=tuple(range(1 + len(params))))(x, *params), expected):
            torch.testing.assert_close(g, e, rtol=1e-12, atol=1e-12)
