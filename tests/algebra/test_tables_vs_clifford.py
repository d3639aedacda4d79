"""The product tables agree exactly with the independent clifford package."""

import numpy as np
import pytest
import torch

from lorentznets.algebra import (
    BLADES,
    dual,
    geometric_product,
    grade_involute,
    grade_project,
    hestenes_inner_product,
    inner_product,
    outer_product,
    product_table,
    reverse,
)

CLIFFORD_OPS = {"geometric": lambda a, b: a * b, "outer": lambda a, b: a ^ b, "inner": lambda a, b: a | b}


def test_blade_order_matches_clifford(layout):
    ours = [tuple(i + 1 for i in blade) for blade in BLADES]
    assert ours == list(layout.bladeTupList)


@pytest.mark.parametrize("kind", ["geometric", "outer", "inner"])
def test_table_exact(layout, kind):
    table = product_table(kind, torch.float64).numpy()
    for a in range(16):
        for b in range(16):
            ea = layout.MultiVector(value=np.eye(16)[a])
            eb = layout.MultiVector(value=np.eye(16)[b])
            expected = CLIFFORD_OPS[kind](ea, eb).value
            np.testing.assert_array_equal(table[:, a, b], expected, err_msg=f"{kind} e{a} e{b}")


@pytest.mark.parametrize(
    "ours,theirs",
    [
        (geometric_product, lambda a, b: a * b),
        (outer_product, lambda a, b: a ^ b),
        (hestenes_inner_product, lambda a, b: a | b),
    ],
)
def test_products_on_random_multivectors(layout, rng, ours, theirs):
    x, y = rng.normal(size=(2, 16))
    expected = theirs(layout.MultiVector(value=x), layout.MultiVector(value=y)).value
    got = ours(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-14)


def test_unary_operations(layout, rng):
    x = rng.normal(size=16)
    mv = layout.MultiVector(value=x)
    t = torch.from_numpy(x)
    np.testing.assert_allclose(reverse(t).numpy(), (~mv).value, atol=1e-15)
    np.testing.assert_allclose(grade_involute(t).numpy(), mv.gradeInvol().value, atol=1e-15)
    np.testing.assert_allclose(dual(t).numpy(), mv.dual().value, atol=1e-14)
    for k in range(5):
        np.testing.assert_allclose(grade_project(t, k).numpy(), mv(k).value, atol=1e-15)


def test_invariant_inner_product_is_scalar_part(layout, rng):
    x, y = rng.normal(size=(2, 16))
    expected = ((~layout.MultiVector(value=x)) * layout.MultiVector(value=y))[()]
    got = inner_product(torch.from_numpy(x), torch.from_numpy(y))
    assert got.shape == (1,)
    assert got.item() == pytest.approx(expected, rel=1e-13)


def test_bad_shape():
    with pytest.raises(ValueError, match="last dimension 16"):
        geometric_product(torch.zeros(3, 15), torch.zeros(3, 16))
    with pytest.raises(ValueError, match="unknown product"):
        product_table("join")
