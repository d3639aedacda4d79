import math

import pytest
import torch

from lorentznets.lorentz import boost_matrix, random_lorentz_transform, rotation_matrix
from lorentznets.nets.pelican import PELICAN, PELICANRegressor
from lorentznets.testing import assert_equivariant, assert_invariant

SMALL = dict(
    hidden_channels=6, message_channels=5, num_blocks=2, encoder_channels=3, readout_channels=4, momentum_scale=10.0
)


def jets(batch: int = 3, n: int = 7, seed: int = 0):
    """Massive on-shell momenta in GeV with random padding (padded slots hold zeros)."""
    generator = torch.Generator().manual_seed(seed)
    p3 = 20.0 * torch.randn(batch, n, 3, generator=generator, dtype=torch.float64)
    mass = torch.rand(batch, n, 1, generator=generator, dtype=torch.float64) + 0.1
    p = torch.cat((torch.sqrt(p3.square().sum(-1, keepdim=True) + mass**2), p3), dim=-1)
    mask = torch.ones(batch, n, dtype=torch.bool)
    mask[0, n - 2 :] = False
    mask[1, 2] = False
    return p * mask[..., None], mask


def build(cls, seed=0, **kwargs):
    torch.manual_seed(seed)
    return cls(**{**SMALL, **kwargs}).double().eval()


def test_jet_output_lorentz_and_permutation_invariant():
    p, mask = jets()
    net = build(PELICAN, out_channels=2)
    assert_invariant(net, (p, mask), ("vector", "none"), particle_dims=(1, 1), max_rapidity=6.0, parity=True)


def test_particle_scalars_and_particle_readout_equivariant():
    p, mask = jets(seed=1)
    scalars = torch.randn(*p.shape[:2], 2, dtype=torch.float64)
    net = build(PELICAN, out_channels=3, readout="particle", in_scalar_channels=2)
    out = net(p, mask, scalars)
    assert out.shape == (3, 7, 3) and out[~mask].abs().max() == 0
    assert_equivariant(
        net, (p, mask, scalars), ("vector", "none", "scalar"), ("scalar",), particle_dims=(1, 1, 1, 1), max_rapidity=6.0
    )


def test_regressor_is_lorentz_covariant():
    p, mask = jets(seed=2)
    net = build(PELICANRegressor)
    out = net(p, mask)
    assert out.shape == (3, 4)
    assert_equivariant(
        net, (p, mask), ("vector", "none"), ("vector",), particle_dims=(1, 1), max_rapidity=6.0, parity=True
    )


def test_untrained_regressor_weights_start_near_one_sum():
    p, mask = jets(seed=3)
    net = build(PELICANRegressor)
    with torch.no_grad():
        net.head[-1].weight.zero_()
        net.head[-1].bias.zero_()
    torch.testing.assert_close(net(p, mask), p.sum(1))


def _z_rotation(angle: float) -> torch.Tensor:
    c, s = math.cos(angle), math.sin(angle)
    return rotation_matrix(torch.tensor([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64))


def test_beams_keep_only_the_beam_axis_symmetry():
    p, mask = jets(seed=4)
    net = build(PELICAN, out_channels=2, beams=True)
    out = net(p, mask)
    for angle in (0.7, -2.0):
        torch.testing.assert_close(net(p @ _z_rotation(angle).mT, mask), out, rtol=1e-9, atol=1e-12)
    z_boost = boost_matrix(torch.tensor(1.0).double(), torch.tensor([0.0, 0.0, 1.0]).double())
    generic = random_lorentz_transform((), max_rapidity=2.0, generator=torch.Generator().manual_seed(0))
    for matrix in (z_boost, generic):
        assert (net(p @ matrix.mT, mask) - out).abs().max() > 1e-6


@pytest.mark.parametrize("readout", ["jet", "particle"])
def test_padding_and_batch_composition_do_not_change_outputs(readout):
    p, mask = jets(batch=3, n=7, seed=5)
    net = build(PELICAN, out_channels=2, readout=readout, beams=True)
    out = net(p, mask)
    # more padding and garbage in padded slots
    wide_p = torch.cat((p, 1e3 * torch.ones(3, 4, 4, dtype=p.dtype)), dim=1)
    wide_mask = torch.cat((mask, torch.zeros(3, 4, dtype=torch.bool)), dim=1)
    wide_p[0, 5:7] = 7.0
    wide = net(wide_p, wide_mask)
    single = net(p[:1], mask[:1])
    if readout == "jet":
        torch.testing.assert_close(wide, out, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(single, out[:1], rtol=1e-12, atol=1e-12)
    else:
        torch.testing.assert_close(wide[:, :7], out, rtol=1e-12, atol=1e-12)
        assert wide[:, 7:].abs().max() == 0
        torch.testing.assert_close(single, out[:1], rtol=1e-12, atol=1e-12)


def test_bad_inputs_raise_clear_errors():
    p, mask = jets()
    net = build(PELICAN, out_channels=1)
    bad = p.clone()
    bad[1, 0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        net.check_inputs(bad, mask)
    assert torch.isnan(net(bad, mask)[1]).all()  # forward reads no values
    with pytest.raises(ValueError, match=r"\(B, N, 4\)"):
        net(p[..., :3], mask)
    with pytest.raises(ValueError, match="mask"):
        net(p, mask.double())
    with pytest.raises(ValueError, match="in_scalar_channels=0"):
        net(p, mask, torch.zeros(3, 7, 1, dtype=p.dtype))
    empty = mask.clone()
    empty[2] = False
    with pytest.raises(ValueError, match="set 2 of the batch has no real particles"):
        net.check_inputs(p, empty)
    regressor = build(PELICANRegressor)
    with pytest.raises(ValueError, match="set 2 of the batch has no real particles"):
        regressor.check_inputs(p, empty)
    with pytest.raises(ValueError, match="readout"):
        PELICAN(out_channels=1, readout="edges")
    message = r"PELICAN: momenta p are torch\.float32, but the network's parameters are torch\.float64; convert"
    with pytest.raises(TypeError, match=message):
        net.check_inputs(p.float(), mask)
    with pytest.raises(ValueError, match=r"PELICAN: the batch is empty: momenta of shape \(0, 7, 4\)"):
        net.check_inputs(p[:0], mask[:0])
    with pytest.raises(TypeError, match=r"momenta p are torch\.int64"):
        regressor(p.long(), mask)


def test_trains_on_a_toy_task():
    # invariant mass of the set: loss must drop clearly within a few steps
    p, mask = jets(batch=16, n=6, seed=6)
    total = p.sum(1)
    target = torch.log1p((total[:, 0] ** 2 - total[:, 1:].square().sum(-1)).clamp(min=0)).unsqueeze(-1)
    target = (target - target.mean()) / target.std()
    net = build(PELICAN, out_channels=1).train()
    optimizer = torch.optim.Adam(net.parameters(), lr=3e-3)
    losses = []
    for _ in range(60):
        loss = (net(p, mask) - target).square().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.4 * losses[0]


def test_bf16_autocast_keeps_dots_and_outputs_float32():
    p, mask = jets(seed=4)
    net = build(PELICAN, out_channels=2).float()
    regressor = build(PELICANRegressor).float()
    reference = net(p.float(), mask)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = net(p.float(), mask)
        covariant = regressor(p.float(), mask)
    assert out.dtype == covariant.dtype == torch.float32
    assert (out - reference).abs().max() < 0.1 * reference.abs().max()
    torch.testing.assert_close(covariant, regressor(p.float(), mask), rtol=0.05, atol=0.05 * p.abs().max().item())
