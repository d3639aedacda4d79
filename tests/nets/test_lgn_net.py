"""The LGN network: Lorentz and permutation invariance, padding, precision and input checks."""

import pytest
import torch

from lorentznets.layers.lorentznet import real_pairs
from lorentznets.nets.lgn import LGN
from lorentznets.testing import assert_invariant


def _jets(batch=4, particles=8, seed=0):
    """Collimated massive constituents around the z axis, energies 5-200 GeV (float64)."""
    generator = torch.Generator().manual_seed(seed)
    energy = 5 + 195 * torch.rand(batch, particles, generator=generator, dtype=torch.float64)
    direction = 0.3 * torch.randn(batch, particles, 3, generator=generator, dtype=torch.float64)
    direction[..., 2] += 1
    direction = direction / direction.norm(dim=-1, keepdim=True)
    mass = 0.5 * torch.rand(batch, particles, generator=generator, dtype=torch.float64)
    momentum = (energy**2 - mass**2).sqrt()[..., None] * direction
    mask = torch.ones(batch, particles, dtype=torch.bool)
    mask[0, 6:] = False
    mask[1, 3:] = False
    p = torch.cat([energy[..., None], momentum], dim=-1)
    return torch.where(mask[..., None], p, 0.0), mask


def _net(**kwargs):
    torch.manual_seed(0)
    return LGN(channels=(2, 3, 3), momentum_scale=0.02, **kwargs)


def test_output_is_lorentz_and_permutation_invariant_up_to_rapidity_6():
    net = _net()
    p, mask = _jets()
    out = net(p, mask)
    assert out.shape == (4, 1) and out.dtype == torch.float64
    # Whole output at a boost of rapidity 6 exactly (the checker's first trial) ...
    assert_invariant(net, (p, mask), ("vector", "none"), particle_dims=(1, 1), max_rapidity=6.0, rtol=1e-4, n_trials=2)
    # ... and its momentum-dependent part alone, which carries the rounding of boosted inputs:
    # measured 1.2e-12 at rapidity 2, 2.7e-9 at rapidity 4 and 2.4e-5 at rapidity 6 (float64, boosts
    # of exactly that rapidity): boosted inputs carry rounding errors ~eps e^(2 rapidity) that the
    # degree-8 polynomials amplify.
    baseline = out.detach().mean()

    def varying(p, mask):
        return net(p, mask) - baseline

    assert_invariant(
        varying, (p, mask), ("vector", "none"), particle_dims=(1, 1), max_rapidity=2.0, rtol=1e-11, n_trials=2
    )
    assert_invariant(
        varying, (p, mask), ("vector", "none"), particle_dims=(1, 1), max_rapidity=4.0, rtol=1e-8, n_trials=2
    )


def test_output_depends_on_the_momenta():
    net = _net()
    p, mask = _jets()
    out = net(p, mask)
    assert (out[2:] - out[2]).abs().max() > 1e-6 * out.abs().max()


def test_padding_and_scalars():
    net = _net(in_scalars=2)
    p, mask = _jets(batch=2, particles=6)
    scalars = torch.randn(2, 6, 2, dtype=torch.float64)
    out = net(p, mask, scalars)
    padded_p = torch.cat([p, 1e3 * torch.randn(2, 3, 4, dtype=torch.float64)], dim=1)
    padded_mask = torch.cat([mask, torch.zeros(2, 3, dtype=torch.bool)], dim=1)
    padded_scalars = torch.cat([scalars, torch.randn(2, 3, 2, dtype=torch.float64)], dim=1)
    assert torch.allclose(net(padded_p, padded_mask, padded_scalars), out, rtol=1e-13, atol=0)
    assert_invariant(
        net,
        (p, mask, scalars),
        ("vector", "none", "scalar"),
        particle_dims=(1, 1, 1),
        max_rapidity=3.0,
        rtol=1e-10,
    )


@pytest.mark.parametrize("aggregation", ["sum", "mean"])
def test_real_pair_edges_give_the_padded_grid_result(aggregation):
    net = _net(in_scalars=1, aggregation=aggregation)
    p, mask = _jets(batch=3, particles=7, seed=4)
    scalars = torch.randn(3, 7, 1, dtype=torch.float64) * mask[..., None]
    grid = net(p, mask, scalars)
    grid.square().sum().backward()
    grid_grads = [w.grad.clone() for w in net.parameters()]
    net.zero_grad()
    listed = net(p, mask, scalars, edges=real_pairs(mask))
    listed.square().sum().backward()
    torch.testing.assert_close(listed, grid, rtol=1e-12, atol=1e-15)
    for w, expected in zip(net.parameters(), grid_grads):
        torch.testing.assert_close(w.grad, expected, rtol=1e-10, atol=1e-13)

    def with_edges(p, mask, scalars):
        return net(p, mask, scalars, edges=real_pairs(mask))

    kinds = ("vector", "none", "scalar")
    assert_invariant(with_edges, (p, mask, scalars), kinds, particle_dims=(1, 1, 1), max_rapidity=3.0, rtol=1e-10)


def test_float32_inputs_run_in_high_precision_and_train():
    net = _net()
    p, mask = _jets(batch=4, particles=5)
    out = net(p.float(), mask)
    assert out.dtype == torch.float32
    assert torch.allclose(out.double(), net(p, mask), rtol=1e-6)
    out.sum().backward()
    grads = [w.grad for w in net.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert sum(float(g.abs().sum()) for g in grads) > 0
    low = LGN(channels=(2, 3), high_precision=False)
    assert low(p.float(), mask).dtype == torch.float32


def test_paper_configuration_size():
    # 3 CG levels, channels 2-3-4-3, irreps up to (2, 2), MLP depth 3 and width factor 2.
    net = LGN(channels=(2, 3, 4, 3), maxdim=2)
    irreps = [(0, 0), (0, 2), (1, 1), (2, 0), (2, 2)]
    assert [level.out_irreps for level in net.levels] == [irreps, irreps, [(0, 0)]]
    assert sum(w.numel() for w in net.parameters()) == 3025


@pytest.mark.parametrize(
    "p,mask,scalars,message",
    [
        (torch.zeros(2, 3), None, None, r"shape \(B, N, 4\)"),
        (torch.zeros(2, 3, 4), torch.ones(2, 3), None, "bool mask of shape"),
        (torch.zeros(2, 3, 4), None, torch.zeros(2, 3, 1), "in_scalars=0"),
    ],
)
def test_bad_inputs_raise(p, mask, scalars, message):
    with pytest.raises(ValueError, match=message):
        _net()(p, mask, scalars)


def test_validate_inputs_finds_non_finite_values_forward_does_not_read_them():
    net = _net(in_scalars=1)
    p, mask = _jets(batch=2, particles=6)
    scalars = torch.zeros(2, 6, 1, dtype=torch.float64)
    net.validate_inputs(p, mask, scalars)
    bad_p = p.clone()
    bad_p[0, 0, 1] = float("nan")
    bad_scalars = scalars.clone()
    bad_scalars[1, 0, 0] = float("inf")
    net(bad_p, mask, scalars)  # forward reads no values (no device sync)
    with pytest.raises(ValueError, match="NaN or inf momenta"):
        net.validate_inputs(bad_p, mask, scalars)
    with pytest.raises(ValueError, match="NaN or inf scalars"):
        net.validate_inputs(p, mask, bad_scalars)
    with pytest.raises(ValueError, match="in_scalars=0"):
        _net().validate_inputs(p, mask, scalars)
    with pytest.raises(ValueError, match=r"LGN got an empty batch: momenta of shape \(0, 6, 4\)"):
        net.validate_inputs(p[:0], mask[:0], scalars[:0])


def test_nan_in_padding_is_ignored():
    net = _net()
    p, mask = _jets(batch=2, particles=6)
    p_nan = torch.where(mask[..., None], p, float("nan"))
    assert torch.allclose(net(p_nan, mask), net(p, mask), rtol=1e-14, atol=0)


def test_constructor_validation():
    with pytest.raises(ValueError, match="at least two"):
        LGN(channels=(3,))
    with pytest.raises(ValueError, match="maxdim"):
        LGN(maxdim=0)
