import pytest
import torch

from lorentznets.layers.lorentznet import LGEB, MaskedBatchNorm1d, real_pairs
from lorentznets.testing import assert_equivariant


def particles(batch=3, n=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    p3 = 20 * torch.randn(batch, n, 3, generator=g, dtype=torch.float64)
    mass = torch.rand(batch, n, 1, generator=g, dtype=torch.float64)
    p = torch.cat((torch.sqrt(p3.square().sum(-1, keepdim=True) + mass**2), p3), -1)
    mask = torch.ones(batch, n, dtype=torch.bool)
    mask[0, 4:] = False
    mask[1, 1] = False
    h = torch.randn(batch, n, 5, generator=g, dtype=torch.float64) * mask[..., None]
    s = torch.randn(batch, n, 2, generator=g, dtype=torch.float64) * mask[..., None]
    return h, p * mask[..., None], mask, s


def block(seed=0, **kwargs):
    torch.manual_seed(seed)
    lgeb = LGEB(5, 2, c_weight=0.3, **kwargs).double().eval()
    if lgeb.update_momenta:
        with torch.no_grad():  # a visible coordinate update
            lgeb.coord_out.weight.normal_(0, 0.3)
    return lgeb


def test_h_invariant_x_covariant_and_permutation_equivariant():
    h, p, mask, s = particles()
    lgeb = block()
    h_new, x_new = lgeb(h, p, mask, s)
    assert (x_new - p).abs().max() > 1e-3  # the coordinate update is active
    assert_equivariant(
        lambda h, p, m, s: lgeb(h, p, m, s),
        (h, p, mask, s),
        ("scalar", "vector", "none", "scalar"),
        ("scalar", "vector"),
        particle_dims=(1, 1, 1, 1, 1, 1),
        max_rapidity=6.0,
        parity=True,
    )


def test_padding_does_not_leak():
    h, p, mask, s = particles(seed=1)
    lgeb = block(seed=1)
    h_new, x_new = lgeb(h, p, mask, s)
    junk_p, junk_h = p.clone(), h.clone()
    junk_p[~mask] = 1e4
    junk_h[~mask] = -7.0
    h_junk, x_junk = lgeb(junk_h, junk_p, mask, s)
    torch.testing.assert_close(h_junk, h_new, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(x_junk[mask], x_new[mask], rtol=1e-12, atol=1e-12)
    assert h_new[~mask].abs().max() == 0


def test_clamp_breaks_equivariance_only_when_active():
    h, p, mask, s = particles(seed=2)
    lgeb = block(seed=2)
    with pytest.raises(AssertionError, match="not equivariant"):
        assert_equivariant(
            lambda h, p, m, s: lgeb(h, p, m, s, clamp=1.0)[1],
            (h, p, mask, s),
            ("scalar", "vector", "none", "scalar"),
            ("vector",),
            max_rapidity=6.0,
        )


def test_masked_batch_norm_uses_real_entries_only():
    torch.manual_seed(0)
    norm = MaskedBatchNorm1d(3).double()
    x = torch.randn(4, 5, 3, dtype=torch.float64)
    mask = torch.rand(4, 5) > 0.4
    x_padded = x.clone()
    x_padded[~mask] = 1e3
    out = norm(x_padded, mask)
    reference = torch.nn.BatchNorm1d(3).double()
    expected = reference(x[mask])
    torch.testing.assert_close(out[mask], expected)
    torch.testing.assert_close(norm.running_mean, reference.running_mean)
    torch.testing.assert_close(norm.running_var, reference.running_var)
    norm.eval()
    reference.eval()
    torch.testing.assert_close(norm(x, mask), reference(x.reshape(-1, 3)).reshape(4, 5, 3))


def test_masked_batch_norm_without_real_entries_keeps_its_statistics():
    norm = MaskedBatchNorm1d(3).double()
    x = torch.randn(2, 4, 3, dtype=torch.float64)
    norm(x, torch.zeros(2, 4, dtype=torch.bool))
    torch.testing.assert_close(norm.running_mean, torch.zeros(3, dtype=torch.float64))
    torch.testing.assert_close(norm.running_var, torch.ones(3, dtype=torch.float64))


def test_masked_batch_norm_folded_affine_and_unmasked_form():
    torch.manual_seed(1)
    norm = MaskedBatchNorm1d(3).double()
    with torch.no_grad():
        norm.running_mean.normal_()
        norm.running_var.uniform_(0.5, 2.0)
        norm.weight.normal_()
        norm.bias.normal_()
    x = torch.randn(4, 5, 3, dtype=torch.float64)
    everything = torch.ones(4, 5, dtype=torch.bool)
    torch.testing.assert_close(norm(x), norm(x, everything))  # training: batch statistics
    norm.eval()
    scale, shift = norm.folded_affine()
    torch.testing.assert_close(norm(x, everything), x * scale + shift)
    torch.testing.assert_close(norm(x), x * scale + shift)


def test_edge_list_matches_padded_grid_in_both_modes():
    h, p, mask, s = particles(seed=3)
    edges = real_pairs(mask)
    for train in (False, True):
        lgeb = block(seed=3).train(train)
        for clamp in (None, 1.0):
            grid = lgeb(h, p, mask, s, clamp)
            listed = lgeb(h, p, mask, s, clamp, edges)
            torch.testing.assert_close(listed[0], grid[0], rtol=1e-12, atol=1e-12)
            torch.testing.assert_close(listed[1][mask], grid[1][mask], rtol=1e-12, atol=1e-12)


def test_edge_list_training_matches_padded_grid_in_gradients_and_running_statistics():
    """Over the edge list the batch norm of phi_e works from per-particle sums; over the grid it is masked."""
    h, p, mask, s = particles(seed=4)
    h.requires_grad_()
    p.requires_grad_()
    edges = real_pairs(mask)
    grid_block, listed_block = block(seed=4).train(), block(seed=4).train()
    upstream = torch.randn_like(h), torch.randn_like(p)
    grads = []
    for lgeb, pairs in ((grid_block, None), (listed_block, edges)):
        out_h, out_x = lgeb(h, p, mask, s, None, pairs)
        loss = (out_h * upstream[0]).sum() + (out_x * mask[..., None] * upstream[1]).sum()
        grads.append(torch.autograd.grad(loss, (h, p, *lgeb.parameters())))
    for listed, grid in zip(*reversed(grads)):
        torch.testing.assert_close(listed, grid, rtol=1e-10, atol=1e-10)
    for (name, listed), grid in zip(listed_block.named_buffers(), grid_block.buffers()):
        torch.testing.assert_close(listed, grid, rtol=1e-12, atol=1e-12, msg=name)
