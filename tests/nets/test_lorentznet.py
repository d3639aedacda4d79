import pytest
import torch

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
    bad = p.clone()
    bad[1, 0, 2] = float("inf")
    with pytest.raises(ValueError, match="NaN or inf"):
        net(scalars, bad, mask)
    empty = mask.clone()
    empty[1] = False
    with pytest.raises(ValueError, match="set 1 of the batch has no real particles"):
        net(scalars, p, empty)
    with pytest.raises(ValueError, match="readout"):
        LorentzNet(2, 2, readout="edges")


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
