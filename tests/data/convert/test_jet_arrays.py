import numpy as np
import pytest

from lorentznets.data.convert import chunk_bounds, jet_pt_and_mass, nonzero_mask, order_and_pad


def scrambled_jets(seed=0):
    """Jets whose real constituents sit anywhere among zero rows (padding in the middle too)."""
    rng = np.random.default_rng(seed)
    momenta = rng.normal(size=(30, 10, 4)) * 20
    momenta[rng.random((30, 10)) < 0.4] = 0.0
    momenta[0] = 0.0
    return momenta


def reference(momenta, max_particles):
    out = np.zeros((len(momenta), max_particles, 4))
    for j, jet in enumerate(momenta):
        real = sorted((p for p in jet if np.any(p)), key=lambda p: -np.hypot(p[1], p[2]))
        real = real[:max_particles]
        if real:
            out[j, : len(real)] = real
    return out


@pytest.mark.parametrize("max_particles", [1, 4, 10, 13])
def test_order_and_pad_matches_reference(max_particles):
    momenta = scrambled_jets()
    out, mask, _ = order_and_pad(momenta, nonzero_mask(momenta), max_particles)
    expected = reference(momenta, max_particles)
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(mask, nonzero_mask(expected))
    # Real constituents precede padding in every jet.
    assert (np.diff(mask.astype(int), axis=1) <= 0).all()


def test_extras_follow_and_padding_is_zeroed():
    momenta = scrambled_jets(1)
    mask = nonzero_mask(momenta)
    pt = np.hypot(momenta[..., 1], momenta[..., 2])
    extra = np.stack([pt, np.full_like(pt, 7.0)], axis=-1)
    out, out_mask, (out_extra,) = order_and_pad(momenta, mask, 6, (extra,))
    np.testing.assert_allclose(out_extra[..., 0], np.hypot(out[..., 1], out[..., 2]))
    np.testing.assert_array_equal(out_extra[..., 1], np.where(out_mask, 7.0, 0.0))


def test_mask_overrides_nonzero_values():
    momenta = np.ones((1, 3, 4))
    out, mask, _ = order_and_pad(momenta, np.array([[True, False, True]]), 3)
    np.testing.assert_array_equal(mask, [[True, True, False]])
    np.testing.assert_array_equal(out[0, 2], 0.0)


def test_invalid_length():
    with pytest.raises(ValueError, match="max_particles must be positive, got 0"):
        order_and_pad(np.zeros((1, 2, 4)), np.zeros((1, 2), bool), 0)


def test_jet_pt_and_mass():
    momenta = np.array([[[10.0, 3.0, 4.0, 0.0], [10.0, -3.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]])
    pt, mass = jet_pt_and_mass(momenta)
    np.testing.assert_allclose(pt, [4.0])
    np.testing.assert_allclose(mass, [np.sqrt(400.0 - 16.0)])
    # Rounding-negative m^2 gives zero, not NaN.
    _, mass = jet_pt_and_mass(np.array([[[1.0, 0.0, 0.0, 1.0 + 1e-12]]]))
    assert mass[0] == 0.0


def test_chunk_bounds():
    assert chunk_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunk_bounds(10, 4, max_rows=5) == [(0, 4), (4, 5)]
    assert chunk_bounds(0, 4) == []
    with pytest.raises(ValueError, match="chunk_size must be positive"):
        chunk_bounds(3, 0)
