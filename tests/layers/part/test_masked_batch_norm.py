"""MaskedBatchNorm: torch's BatchNorm1d on the real entries, with or without a mask (float64)."""

import torch

from lorentznets.layers.part import MaskedBatchNorm


def _pair(channels=5):
    torch.manual_seed(0)
    ours, reference = MaskedBatchNorm(channels).double(), torch.nn.BatchNorm1d(channels).double()
    with torch.no_grad():
        ours.weight.uniform_(0.5, 2.0)
        ours.bias.normal_()
    reference.load_state_dict(ours.state_dict())
    return ours, reference


def _check(ours, reference, x, mask):
    real = x[mask] if mask is not None else x.reshape(-1, x.shape[-1])
    grad = torch.randn_like(x)
    out = ours(x, mask)
    expected = reference(real)
    torch.testing.assert_close(out[mask] if mask is not None else out.reshape(real.shape), expected)
    weight = mask[..., None].to(x.dtype) if mask is not None else 1.0
    (out * grad * weight).sum().backward()
    (expected * (grad[mask] if mask is not None else grad.reshape(real.shape))).sum().backward()
    for a, b in zip(ours.parameters(), reference.parameters()):
        torch.testing.assert_close(a.grad, b.grad)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        torch.testing.assert_close(getattr(ours, name), getattr(reference, name))


def test_without_mask_is_torch_batch_norm_over_the_flattened_entries():
    ours, reference = _pair()
    _check(ours, reference, torch.randn(7, 6, 5, dtype=torch.float64), None)


def test_with_mask_is_torch_batch_norm_over_the_real_entries():
    ours, reference = _pair()
    mask = torch.rand(7, 6) < 0.6
    _check(ours, reference, 3 * torch.randn(7, 6, 5, dtype=torch.float64) + 1, mask)
    ours.eval(), reference.eval()
    x = torch.randn(4, 5, dtype=torch.float64)
    torch.testing.assert_close(ours(x), reference(x))


def test_single_entry_without_mask_gives_the_bias():
    ours, _ = _pair()
    out = ours(torch.randn(1, 5, dtype=torch.float64))
    torch.testing.assert_close(out, ours.bias.detach()[None])


def test_only_padding_keeps_the_running_statistics():
    ours, _ = _pair()
    ours(3 * torch.randn(7, 6, 5, dtype=torch.float64) + 1, torch.rand(7, 6) < 0.6)
    before = {name: getattr(ours, name).clone() for name in ("running_mean", "running_var")}
    ours(torch.randn(3, 4, 5, dtype=torch.float64), torch.zeros(3, 4, dtype=torch.bool))
    for name, value in before.items():
        torch.testing.assert_close(getattr(ours, name), value, rtol=0, atol=0)
