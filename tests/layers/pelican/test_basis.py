import torch

from lorentznets.layers.pelican import MAP_NAMES_2TO2, pair_basis_2to2

from .helpers import masked_pairs


def test_fifteen_maps_nonzero_and_linearly_independent():
    x, mask = masked_pairs(3, 6, 1, seed=1)
    basis = pair_basis_2to2(x, mask)
    assert basis.shape[-1] == len(MAP_NAMES_2TO2) == 15
    flat = basis.reshape(-1, 15)
    assert (flat.abs().amax(dim=0) > 1e-3).all(), "a basis map vanishes on a generic input"
    assert torch.linalg.matrix_rank(flat).item() == 15


def test_diagonal_maps_need_self_pairs():
    # Dropping the diagonal (as sparse implementations without self-loops do) kills these maps.
    x, mask = masked_pairs(2, 5, 1, seed=2)
    x_offdiag = x * (1 - torch.eye(5, dtype=x.dtype))[None, :, :, None]
    basis = pair_basis_2to2(x_offdiag, mask)
    off = 1 - torch.eye(5, dtype=x.dtype)[None, :, :, None]
    for k in (2, 3, 4, 11, 12):
        assert basis[..., k].abs().max() == 0, MAP_NAMES_2TO2[k]
    for k in (5, 8, 13):  # placed on the diagonal only
        assert (basis[..., k] * off).abs().max() == 0


def test_basis_is_permutation_equivariant():
    x, mask = masked_pairs(2, 7, 3, seed=3)

    # Both particle axes move together, which lorentznets.testing (one axis) cannot express.
    perm = torch.randperm(7, generator=torch.Generator().manual_seed(0))
    out = pair_basis_2to2(x, mask)
    out_perm = pair_basis_2to2(x[:, perm][:, :, perm], mask[:, perm])
    torch.testing.assert_close(out_perm, out[:, perm][:, :, perm], rtol=1e-12, atol=1e-12)
