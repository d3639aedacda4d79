import math

import pytest
import torch

from lorentznets.flows import (
    GaussianUniformBase,
    flow_log_likelihood,
    flow_matching_loss,
    keyed_base_sample,
    keyed_flow_matching_noise,
    keyed_rademacher,
    keyed_uniform,
    stream_seed,
)
from lorentznets.flows.keyed_noise import _hash32

PERIODIC = torch.tensor([False, False, True, False])


def _lowbias32(x: int) -> int:
    """Chris Wellons' lowbias32 in Python integers, the oracle of the int64 tensor version."""
    x ^= x >> 16
    x = (x * 0x7FEB352D) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x846CA68B) & 0xFFFFFFFF
    return x ^ (x >> 16)


def test_hash_matches_the_reference_over_the_whole_32_bit_range():
    values = [0, 1, 2, 0x7FFFFFFF, 0x80000000, 0xDEADBEEF, 0xFFFFFFFE, 0xFFFFFFFF]
    values += torch.randint(0, 2**32, (1000,), generator=torch.Generator().manual_seed(0)).tolist()
    hashed = _hash32(torch.tensor(values, dtype=torch.int64)).tolist()
    assert hashed == [_lowbias32(v) for v in values]


def test_an_events_numbers_do_not_depend_on_its_batch():
    keys = torch.arange(1000)
    whole = keyed_uniform(7, keys, 9)
    pieces = torch.cat([keyed_uniform(7, chunk, 9) for chunk in keys.flip(0).split(37)]).flip(0)
    assert torch.equal(whole, pieces)
    assert not torch.equal(keyed_uniform(8, keys, 9), whole)
    # keys beyond 32 bits are told apart (the high half enters the hash)
    high = keyed_uniform(7, keys + 2**32, 9)
    assert not torch.isclose(high, whole).all(dim=1).any()


def test_uniforms_are_uniform_and_independent():
    u = keyed_uniform(0, torch.arange(20000), 8, torch.float64)
    assert 0 < u.min() and u.max() < 1
    # mean 1/2 and variance 1/12, each to 5 standard errors of 160000 draws
    assert abs(u.mean().item() - 0.5) < 5 * math.sqrt(1 / 12 / u.numel())
    assert abs(u.var().item() - 1 / 12) < 5 * math.sqrt(1 / 180 / u.numel())
    correlation = torch.corrcoef(u.T)
    assert (correlation - torch.eye(8)).abs().max() < 5 / math.sqrt(len(u))
    # neighbouring keys are not correlated either
    assert torch.corrcoef(torch.stack([u[:-1, 0], u[1:, 0]]))[0, 1].abs() < 5 / math.sqrt(len(u))


def test_flow_matching_noise_has_the_base_distribution_and_uniform_times():
    base = GaussianUniformBase(PERIODIC, (3, 4))
    x0, t = keyed_flow_matching_noise(base, 1, torch.arange(40000), torch.float64)
    assert x0.shape == (40000, 3, 4) and t.shape == (40000,)
    normal, angle = x0[..., [0, 1, 3]], x0[..., 2]
    assert normal.mean().abs() < 5 / math.sqrt(normal.numel())
    assert (normal.std() - 1).abs() < 5 / math.sqrt(2 * normal.numel())
    # a normal's fourth moment is 3
    assert (normal.pow(4).mean() - 3).abs() < 5 * math.sqrt(96 / normal.numel())
    assert angle.min() >= -math.pi and angle.max() < math.pi
    assert (angle.std() - math.pi / math.sqrt(3)).abs() < 0.02
    assert (t.mean() - 0.5).abs() < 5 * math.sqrt(1 / 12 / len(t))


def test_the_loss_takes_given_noise_or_a_generator_not_both():
    base = GaussianUniformBase(PERIODIC, (2, 4))
    x1 = torch.randn(16, 2, 4)
    noise = keyed_flow_matching_noise(base, 0, torch.arange(16))
    first, second = (flow_matching_loss(lambda t, x: x * t[:, None, None], x1, base, noise=noise) for _ in range(2))
    assert first == second
    with pytest.raises(ValueError, match="a generator or the noise, not both"):
        flow_matching_loss(lambda t, x: x, x1, base, torch.Generator(), noise=noise)


def test_base_samples_are_the_base_distribution_the_same_in_any_batch():
    base = GaussianUniformBase(PERIODIC, (3, 4))
    keys = torch.arange(40000)
    x0 = keyed_base_sample(base, 5, keys, torch.float64)
    assert x0.shape == (40000, 3, 4)
    normal, angle = x0[..., [0, 1, 3]], x0[..., 2]
    assert normal.mean().abs() < 5 / math.sqrt(normal.numel())
    assert (normal.std() - 1).abs() < 5 / math.sqrt(2 * normal.numel())
    assert angle.min() >= -math.pi and angle.max() < math.pi
    assert (angle.std() - math.pi / math.sqrt(3)).abs() < 0.02
    pieces = torch.cat([keyed_base_sample(base, 5, chunk, torch.float64) for chunk in keys.split(999)])
    assert torch.equal(pieces, x0)


def test_stream_seeds_separate_the_uses_of_one_seed():
    seeds = {stream_seed(seed, "sampling", split) for seed in (0, 1) for split in ("val", "test")}
    assert len(seeds) == 4 and all(0 <= seed < 2**32 for seed in seeds)
    # pinned: a fixed function of its arguments (not Python's per-process salted str hash), so a
    # run's samples can be drawn again by a later version
    assert stream_seed(0, "sampling", "test") == 0xCC7B0B38


def test_keyed_rademacher_probes_are_signs_fixed_per_key():
    probes = keyed_rademacher(7, torch.arange(2000), (3, 4))
    assert probes.shape == (2000, 3, 4) and set(probes.unique().tolist()) == {-1.0, 1.0}
    assert abs(probes.mean().item()) < 0.02  # 24000 signs: standard error 0.0065
    torch.testing.assert_close(keyed_rademacher(7, torch.tensor([1999, 3]), (3, 4)), probes[[1999, 3]])


def test_given_probes_are_the_hutchinson_estimate():
    """With the same probes, flow_log_likelihood gives the same estimate as with a generator that
    draws them; probes with the exact trace or another shape are refused."""
    base = GaussianUniformBase(torch.tensor([False, False, True]), (2, 3))
    x1 = base.sample(6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    weight = torch.randn(6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(1))

    def velocity(t, x):
        return torch.tanh(x.flatten(1) @ weight).view_as(x) * t[:, None, None]

    generator = torch.Generator().manual_seed(2)
    drawn = flow_log_likelihood(velocity, base, x1, {"method": "rk4", "steps": 4}, "hutchinson", generator)
    probes = 2 * torch.randint(0, 2, x1.shape, generator=torch.Generator().manual_seed(2)) - 1
    given = flow_log_likelihood(velocity, base, x1, {"method": "rk4", "steps": 4}, "hutchinson", probes=probes)
    torch.testing.assert_close(given, drawn, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"probes of shape \(6, 2, 3\) need trace='hutchinson'"):
        flow_log_likelihood(velocity, base, x1, trace="exact", probes=probes)
