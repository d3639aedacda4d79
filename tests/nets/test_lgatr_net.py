"""The LGATr net: equivariance, padding/packing invariance, mixed precision, input errors."""

import pytest
import torch

from lorentznets.interface import embed_vector
from lorentznets.nets.lgatr import LGATr
from lorentznets.testing import assert_equivariant

F64 = torch.float64


def _net(**kw):
    torch.manual_seed(0)
    config = dict(
        num_blocks=2,
        in_mv_channels=1,
        out_mv_channels=2,
        hidden_mv_channels=4,
        in_s_channels=2,
        out_s_channels=3,
        hidden_s_channels=8,
        attention={"num_heads": 2},
        mlp={},
    )
    return LGATr(**{**config, **kw})


def _jets(batch=3, items=9, seed=0):
    g = torch.Generator().manual_seed(seed)
    p = torch.randn(batch, items, 4, dtype=F64, generator=g)
    p[..., 0] = p[..., 1:].norm(dim=-1) + 0.1  # massive, physical momenta (GeV)
    return embed_vector(p).unsqueeze(-2), torch.randn(batch, items, 2, dtype=F64, generator=g)


def _assert_equivariant_on_jets(net, **kwargs):
    assert_equivariant(
        net,
        _jets(),
        ("multivector", "scalar"),
        ("multivector", "scalar"),
        particle_dims=(1, 1),
        out_particle_dims=(1, 1),
        **kwargs,
    )


def test_net_equivariant_rapidity_6_and_permutation_equivariant():
    _assert_equivariant_on_jets(_net().double(), max_rapidity=6.0)


def test_net_equivariant_full_group_with_parity():
    net = _net(subgroup=False, in_s_channels=0).double()
    x, _ = _jets()
    assert_equivariant(
        lambda x: net(x),
        (x,),
        ("multivector",),
        ("multivector", "scalar"),
        parity=True,
        time_reversal=True,
    )


@pytest.mark.parametrize("pack_padded", [True, False])
def test_padding_does_not_change_real_particles(pack_padded):
    net = _net(pack_padded=pack_padded).double()
    x, s = _jets(batch=3, items=9)
    lengths = [9, 4, 6]
    mask = torch.arange(9) < torch.tensor(lengths)[:, None]
    garbage_x = torch.where(mask[..., None, None], x, 1e3)
    garbage_s = torch.where(mask[..., None], s, -1e3)
    out_mv, out_s = net(garbage_x, garbage_s, mask=mask)
    for b, n in enumerate(lengths):
        ref_mv, ref_s = net(x[b : b + 1, :n], s[b : b + 1, :n])
        torch.testing.assert_close(out_mv[b : b + 1, :n], ref_mv, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(out_s[b : b + 1, :n], ref_s, rtol=1e-10, atol=1e-12)
    assert out_mv[~mask].abs().max() == 0


def _assert_packed_equals_padded(net):
    """Returns the padded outputs, inputs and mask of two jets of 7 and 3 particles."""
    x, s = _jets(batch=2, items=7)
    mask = torch.tensor([[True] * 7, [True] * 3 + [False] * 4])
    padded = net(x, s, mask=mask)
    packed = net(x[mask], s[mask], offsets=torch.tensor([0, 7, 10]))
    torch.testing.assert_close(packed[0], padded[0][mask], rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(packed[1], padded[1][mask], rtol=1e-12, atol=1e-12)
    return padded, (x, s), mask


def test_packed_equals_padded():
    _assert_packed_equals_padded(_net().double())


def test_head_scale_equivariant_and_packed_equals_padded():
    net = _net(attention={"num_heads": 2, "head_scale": True}).double()
    scales = [m.head_scale for m in net.modules() if getattr(m, "head_scale", None) is not None]
    assert len(scales) == 2 and all(p.shape == (2,) for p in scales)
    with torch.no_grad():  # away from the initial ones, different per head
        for p in scales:
            p.copy_(torch.tensor([0.3, -1.7], dtype=F64))
    _assert_equivariant_on_jets(net)
    padded, (x, s), mask = _assert_packed_equals_padded(net)
    unscaled = _net().double()  # the same weights without the scales: other outputs
    unscaled.load_state_dict({k: v for k, v in net.state_dict().items() if not k.endswith("head_scale")})
    assert (unscaled(x, s, mask=mask)[1] - padded[1]).abs().max() > 1e-3


def test_bf16_autocast_finite_and_close():
    net = _net()
    x, s = (t.float() for t in _jets(seed=1))
    ref_mv, ref_s = net(x, s)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mv, out_s = net(x, s)
        (mv.float().square().mean() + out_s.float().square().mean()).backward()
    assert torch.isfinite(mv).all() and torch.isfinite(out_s).all()
    assert all(torch.isfinite(p.grad).all() for p in net.parameters() if p.grad is not None)
    assert (mv.float() - ref_mv).abs().max() < 0.1 * ref_mv.abs().max()


def test_bad_inputs_raise_clear_errors():
    net = _net()
    x, s = (t.float() for t in _jets())
    with pytest.raises(ValueError, match="multivectors must have shape"):
        net(x[..., :15], s)
    with pytest.raises(ValueError, match="scalars must have shape"):
        net(x, None)
    with pytest.raises(ValueError, match="not both"):
        net(x, s, mask=torch.ones(3, 9, dtype=torch.bool), offsets=torch.tensor([0, 9]))
    # Value checks read the tensors: only through check_inputs at the data boundary.
    with pytest.raises(ValueError, match="multivectors contain NaN or inf"):
        net.check_inputs(torch.full_like(x, float("nan")), s)
    with pytest.raises(ValueError, match="scalars contain NaN or inf"):
        net.check_inputs(x, torch.full_like(s, float("inf")))
    with pytest.raises(ValueError, match=r"empty events at \[0, 1, 2\]"):
        net.check_inputs(x, s, mask=torch.zeros(3, 9, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"empty events at \[1\]"):
        net.check_inputs(x[0], s[0], offsets=torch.tensor([0, 4, 4, 9]))
    with pytest.raises(ValueError, match="offsets end at 8"):
        net.check_inputs(x[0], s[0], offsets=torch.tensor([0, 4, 8]))
    net.check_inputs(x[0], s[0], offsets=torch.tensor([0, 4, 9]))
    with pytest.raises(ValueError, match=r"the batch is empty: multivectors of shape \(0, 9, 1, 16\)"):
        net.check_inputs(x[:0], s[:0])
    assert torch.isnan(net(torch.full_like(x, float("nan")), s)[0]).all()
    message = r"LGATr: multivectors are torch\.float64, but the network's parameters are torch\.float32; convert"
    with pytest.raises(TypeError, match=message):
        net.check_inputs(x.double(), s)
    with pytest.raises(TypeError, match=r"LGATr: scalars are torch\.int64"):
        net(x, s.long())
    assert net(x.bfloat16(), s)[0].dtype == torch.float32  # lower precisions run in float32


def test_packed_with_known_max_length_and_flex_equal_padded():
    x, s = _jets(batch=3, items=8)
    mask = torch.arange(8) < torch.tensor([8, 3, 5])[:, None]
    offsets = torch.tensor([0, 8, 11, 16])
    padded = _net(pack_padded=False).double()(x, s, mask=mask)
    for backend in ("pad", "flex"):
        net = _net(attention={"num_heads": 2, "backend": backend}).double()
        with torch.no_grad():  # FlexAttention has no CPU backward
            packed = net(x[mask], s[mask], offsets=offsets, max_length=8)
        torch.testing.assert_close(packed[0], padded[0][mask], rtol=1e-11, atol=1e-12)
        torch.testing.assert_close(packed[1], padded[1][mask], rtol=1e-11, atol=1e-12)


def test_outputs_stay_float32_under_autocast():
    net = _net()
    x, s = (t.float() for t in _jets(seed=2))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mv, out_s = net(x, s, mask=torch.ones(3, 9, dtype=torch.bool))
    assert mv.dtype == out_s.dtype == torch.float32
