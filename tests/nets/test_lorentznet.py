import pytest
import torch

from lorentznets.layers.lorentznet import real_pairs
from lorentznets.nets.lorentznet import LorentzNet
from lorentznets.testing import assert_equivariant, assert_invariant

SMALL = dict(hidden_channels=8, num_blocks=3, c_weight=0.05)


def jets(batch=3, n=7, seed=0):
    g = torch.Generator().manual_seed(seed)
    p3 = 20 * torch.randn(batch, n, 3, generator=g, dtype=torch.float64)
    mass = torch.rand(batch, n, 1, generator=g, dtype=torch.float64) + 0.1
    p = torch.cat((torch.sqrt(p3.square().sum(-1, keepdim=True) + mass**2), p3), -1)
    mask = torch.ones(batch, n, dtype=torch.bool)
    mask[0, 5:] = False
    mask[2, 1] = False
    scalars = torch.randn(batch, n, 2, generator=g, dtype=torch.float64)
    return scalars * mask[..., None], p * mask[..., None], mask


def build(seed=0, **kwargs):
    torch.manual_seed(seed)
    net = LorentzNet(2, 2, **{**SMALL, **kwargs}).double()
    with torch.no_grad():  # a visible coordinate update, so equivariance of x is exercised
        for block in net.blocks:
            if block.update_momenta:
                block.coord_out.weight.normal_(0, 0.3)
    return net.eval()


def test_default_is_lorentz_invariant_and_permutation_invariant():
    net = build()
    assert_invariant(net, jets(), ("scalar", "vector", "none"), particle_dims=(1, 1, 1), max_rapidity=6.0, parity=True)


def test_particle_readout_equivariant_and_masked():
    net = build(readout="particle")
    scalars, p, mask = jets(seed=1)
    out = net(scalars, p, mask)
    assert out.shape == (3, 7, 2) and out[~mask].abs().max() == 0
    assert_equivariant(
        net, (scalars, p, mask), ("scalar", "vector", "none"), ("scalar",), particle_dims=(1, 1, 1, 1), max_rapidity=6.0
    )


def test_default_is_batch_and_padding_independent():
    net = build(seed=2)
    scalars, p, mask = jets(seed=2)
    out = net(scalars, p, mask)
    wide = [torch.cat((t, torch.zeros(3, 5, *t.shape[2:], dtype=t.dtype)), 1) for t in (scalars, p, mask)]
    torch.testing.assert_close(net(*wide), out, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(net(scalars[2:], p[2:], mask[2:]), out[2:], rtol=1e-12, atol=1e-12)


def test_official_mode_reproduces_both_quirks():
    net = build(seed=3, official=True)
    scalars, p, mask = jets(seed=3)
    wide = [torch.cat((t, torch.zeros(3, 5, *t.shape[2:], dtype=t.dtype)), 1) for t in (scalars, p, mask)]
    assert (net(*wide) - net(scalars, p, mask)).abs().max() > 1e-6
    # the +-100 clamp acts on boosted jets, so invariance fails at rapidity 6
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_invariant(net, (scalars, 50 * p, mask), ("scalar", "vector", "none"), max_rapidity=6.0)


def test_bad_inputs_raise():
    net = build()
    scalars, p, mask = jets()
    with pytest.raises(ValueError, match="scalars must have shape"):
        net(scalars[..., :1], p, mask)
    with pytest.raises(TypeError, match="momenta are torch.float64 and scalars torch.float64, but the network's"):
        build().float()(scalars, p, mask)
    with pytest.raises(ValueError, match="edges must be int64 with shape"):
        net(scalars, p, mask, real_pairs(mask)[:1])
    bad = p.clone()
    bad[1, 0, 2] = float("inf")
    net(scalars, bad, mask)  # forward reads no values: the check belongs to the data boundary
    with pytest.raises(ValueError, match="NaN or inf"):
        net.validate_inputs(scalars, bad, mask)
    empty = mask.clone()
    empty[1] = False
    with pytest.raises(ValueError, match="set 1 of the batch has no real particles"):
        net.validate_inputs(scalars, p, empty)
    net.validate_inputs(scalars, p, mask)
    net.validate_inputs(scalars, p, mask, real_pairs(mask))
    with pytest.raises(ValueError, match=r"edges \(2, 90\) are not real_pairs\(mask\) \(2, 92\)"):
        net.validate_inputs(scalars, p, mask, real_pairs(mask)[:, :-2])
    with pytest.raises(ValueError, match="are not real_pairs"):
        net.validate_inputs(scalars, p, mask, real_pairs(mask).flip(0))
    with pytest.raises(ValueError, match="readout"):
        LorentzNet(2, 2, readout="edges")


@pytest.mark.parametrize("official", [False, True])
@pytest.mark.parametrize("readout", ["jet", "particle"])
def test_real_pair_edges_give_the_padded_grid_result(official, readout):
    scalars, p, mask = jets(batch=4, seed=5)
    wide = [torch.cat((t, torch.zeros(4, 3, *t.shape[2:], dtype=t.dtype)), 1) for t in (scalars, p, mask)]
    for train in (False, True):
        net = build(seed=5, official=official, readout=readout).train(train)
        grid = net(*wide)
        (grid.square().sum()).backward()
        grid_grads = [w.grad.clone() for w in net.parameters()]
        net.zero_grad()
        edges = net(*wide, edges=real_pairs(wide[2]))
        (edges.square().sum()).backward()
        torch.testing.assert_close(edges, grid, rtol=1e-12, atol=1e-12)
        for w, expected in zip(net.parameters(), grid_grads):
            torch.testing.assert_close(w.grad, expected, rtol=1e-10, atol=1e-12)


def test_real_pair_edges_are_invariant_and_padding_independent():
    net = build(seed=6)
    scalars, p, mask = jets(seed=6)

    def with_edges(s, q, m):
        return net(s, q, m, real_pairs(m))

    assert_invariant(
        with_edges, (scalars, p, mask), ("scalar", "vector", "none"), particle_dims=(1, 1, 1), max_rapidity=6.0
    )
    wide = [torch.cat((t, torch.zeros(3, 5, *t.shape[2:], dtype=t.dtype)), 1) for t in (scalars, p, mask)]
    torch.testing.assert_close(with_edges(*wide), with_edges(scalars, p, mask), rtol=1e-12, atol=1e-12)


def test_trains_in_train_mode_with_padding():
    scalars, p, mask = jets(batch=8, seed=4)
    target = (mask.sum(1) % 2).long()
    net = build(seed=4).train()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(30):
        loss = torch.nn.functional.cross_entropy(net(scalars, p, mask), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("train", [True, False])
def test_trains_and_evaluates_under_bf16_autocast_on_both_paths(train):
    """Before 2026-12-07 a training step under autocast failed on the dtypes (batch-norm running
    statistics, the per-edge sum); the batch-norm statistics now run in float32 or float64."""
    scalars, p, mask = (t.float() if t.is_floating_point() else t for t in jets(seed=6))
    net = build(seed=6).float().train(train)
    expected = net(scalars, p, mask)
    scale = expected.abs().max()
    for edges in (None, real_pairs(mask)):
        net.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = net(scalars, p, mask, edges)
        assert (out.float() - expected).abs().max() < 0.1 * scale
        out.float().square().sum().backward()
        assert all(torch.isfinite(param.grad).all() for param in net.parameters() if param.grad is not None)
