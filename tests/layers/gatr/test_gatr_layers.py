"""Exactness and equivariance of the L-GATr layers (float64, boosts up to rapidity 6)."""

import pytest
import torch

from lorentznets.algebra import equivariant_linear_basis, geometric_product
from lorentznets.layers.gatr.attention import GeometricSelfAttention
from lorentznets.layers.gatr.block import LGATrBlock
from lorentznets.layers.gatr.config import AttentionConfig, MLPConfig
from lorentznets.layers.gatr.dropout import GradeDropout
from lorentznets.layers.gatr.geometric_product import paired_geometric_product
from lorentznets.layers.gatr.layer_norm import EquivariantLayerNorm
from lorentznets.layers.gatr.layout import from_paired, to_paired
from lorentznets.layers.gatr.linear import EquivariantLinear
from lorentznets.layers.gatr.mlp import GeometricMLP
from lorentznets.layers.gatr.nonlinearity import ScalarGatedNonlinearity
from lorentznets.testing import assert_equivariant

F64 = torch.float64


def _inputs(batch=(2, 7), mv=3, s=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*batch, mv, 16, dtype=F64, generator=g), torch.randn(*batch, s, dtype=F64, generator=g)


def _wrap(layer):
    """Standard-layout function of a paired-layout layer, for assert_equivariant."""

    def fn(x, s):
        out_mv, out_s = layer(to_paired(x), s)
        return from_paired(out_mv), out_s

    return fn


def test_layout_round_trip():
    x, _ = _inputs()
    assert torch.equal(from_paired(to_paired(x)), x)
    with pytest.raises(ValueError, match="last dimension 16"):
        to_paired(torch.zeros(2, 3, 15))


def test_linear_matches_dense_basis():
    torch.manual_seed(0)
    layer = EquivariantLinear(3, 5, 4, 6).double()
    x, s = _inputs()
    out, out_s = _wrap(layer)(x, s)
    basis = equivariant_linear_basis(dtype=F64)
    ref = torch.einsum("oie,eab,...ib->...oa", layer.weight, basis, x)
    extra = layer.s_to_mv(s).unflatten(-1, (2, 5))
    ref[..., 0] += extra[..., 0, :]
    ref[..., 15] += extra[..., 1, :]
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    ref_s = layer.mv_to_s(torch.cat([x[..., 0], x[..., 15]], -1)) + layer.s_to_s(s)
    torch.testing.assert_close(out_s, ref_s, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("subgroup", [True, False])
def test_linear_equivariant(subgroup):
    torch.manual_seed(1)
    layer = EquivariantLinear(3, 5, 4, 6, subgroup=subgroup).double()
    assert_equivariant(
        _wrap(layer),
        _inputs(),
        ("multivector", "scalar"),
        ("multivector", "scalar"),
        parity=not subgroup,
        time_reversal=not subgroup,
    )


def test_linear_rejects_bad_shapes():
    layer = EquivariantLinear(3, 5, 4, 6)
    with pytest.raises(ValueError, match="paired layout"):
        layer(torch.zeros(8, 2, 5), torch.zeros(2, 4))
    with pytest.raises(ValueError, match="in_s_channels=4"):
        layer(torch.zeros(8, 2, 6), None)


def test_geometric_product_matches_algebra_and_gradcheck():
    x, _ = _inputs(seed=2)
    y, _ = _inputs(seed=3)
    out = from_paired(paired_geometric_product(to_paired(x), to_paired(y)))
    torch.testing.assert_close(out, geometric_product(x, y), rtol=1e-12, atol=1e-12)
    a = x[:1, :3].clone().requires_grad_()
    b = y[:1, :3].clone().requires_grad_()
    assert torch.autograd.gradcheck(
        lambda a, b: from_paired(paired_geometric_product(to_paired(a), to_paired(b))), (a, b)
    )


def test_geometric_product_equivariant():
    def fn(x, y):
        return from_paired(paired_geometric_product(to_paired(x), to_paired(y)))

    assert_equivariant(fn, (_inputs(seed=4)[0], _inputs(seed=5)[0]), ("multivector",) * 2, ("multivector",))


def test_layer_norm_nonlinearity_equivariant():
    torch.manual_seed(2)
    norm = EquivariantLayerNorm(3, 4, elementwise_affine=True).double()
    with torch.no_grad():
        norm.weight_mv.uniform_(0.5, 1.5)
    gate = ScalarGatedNonlinearity("gelu")
    for layer in (norm, gate):  # under the full group, parity included (a pseudoscalar in the gate breaks it)
        assert_equivariant(_wrap(layer), _inputs(), ("multivector", "scalar"), ("multivector", "scalar"), parity=True)


def test_grade_dropout_equivariant_and_identity_in_eval():
    layer = GradeDropout(0.3)
    x, s = _inputs()
    layer.eval()
    assert torch.equal(_wrap(layer)(x, s)[0], x)
    layer.train()

    def fn(x, s):
        torch.manual_seed(7)  # the same dropout mask for original and transformed inputs
        return _wrap(layer)(x, s)

    assert_equivariant(fn, (x, s), ("multivector", "scalar"), ("multivector", "scalar"))


@pytest.mark.parametrize("subgroup", [True, False])
def test_attention_mlp_block_equivariant_and_permutation_equivariant(subgroup):
    """Under SO+(1,3) with the pseudoscalar maps (subgroup), under the full group with parity and
    time reversal without them."""
    torch.manual_seed(3)
    attention = AttentionConfig(num_heads=2)
    layers = [
        GeometricSelfAttention(4, 6, attention, subgroup=subgroup).double(),
        GeometricMLP(4, 6, MLPConfig(num_layers_mlp=3), subgroup=subgroup).double(),
        LGATrBlock(4, 6, attention, MLPConfig(), subgroup=subgroup).double(),
    ]
    x, s = _inputs(mv=4, s=6)
    for layer in layers:
        assert_equivariant(
            _wrap(layer),
            (x, s),
            ("multivector", "scalar"),
            ("multivector", "scalar"),
            particle_dims=(1, 1),
            out_particle_dims=(1, 1),
            parity=not subgroup,
            time_reversal=not subgroup,
        )


def test_delicate_parts_stay_float32_under_bf16_autocast():
    from lorentznets.layers.attention import padded_attention
    from lorentznets.layers.gatr.layer_norm import paired_layer_norm

    x = to_paired(_inputs()[0]).to(torch.bfloat16)
    q = torch.randn(2, 2, 5, 8, dtype=torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert paired_layer_norm(x).dtype == torch.float32
        assert paired_geometric_product(x, x).dtype == torch.float32
        assert padded_attention(q, q, q).dtype == torch.float32
        out, _ = EquivariantLinear(3, 5)(x.float())
        assert out.dtype == torch.bfloat16  # the matrix products do use bf16


@pytest.mark.parametrize(
    "kw",
    [dict(in_s_channels=4, out_s_channels=6), dict(), dict(out_s_channels=2), dict(subgroup=False, in_s_channels=4)],
)
def test_linear_gradients_match_dense_reference(kw):
    torch.manual_seed(5)
    layer = EquivariantLinear(3, 5, **kw).double()
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(torch.randn_like(p))
    x, s = _inputs()
    s = s if kw.get("in_s_channels") else None
    x.requires_grad_()

    def reference():
        basis = equivariant_linear_basis(include_pseudoscalar_maps=kw.get("subgroup", True), dtype=F64)
        out = torch.einsum("oie,eab,...ib->...oa", layer.weight, basis, x)
        slots = [0, 15][: layer.slots]
        extra = torch.zeros_like(out)
        if s is not None:
            extra[..., slots] = layer.s_to_mv(s).unflatten(-1, (layer.slots, 5)).transpose(-1, -2)
        else:
            extra[..., 0] = layer.bias_mv
        out_s = None
        if layer.mv_to_s is not None:
            out_s = layer.mv_to_s(x[..., slots].transpose(-1, -2).flatten(-2))
            if s is not None:
                out_s = out_s + layer.s_to_s(s)
        return out + extra, out_s

    def loss(out, out_s):
        weights = torch.linspace(-1, 1, out.numel(), dtype=F64).view(out.shape)
        return (weights * out).sum() + (0 if out_s is None else out_s.square().sum())

    params = [x, *layer.parameters()]
    out, out_s = _wrap(layer)(x, s)
    grads = torch.autograd.grad(loss(out, out_s), params)
    ref_grads = torch.autograd.grad(loss(*reference()), params)
    for g, r in zip(grads, ref_grads, strict=True):
        torch.testing.assert_close(g, r, rtol=1e-11, atol=1e-11)
