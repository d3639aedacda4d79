"""Random-bit dropout: torch's dropout distribution (rate, scale, gradient), still an nn.Dropout."""

import pytest
import torch

from lorentznets.layers.part import RandomBitDropout, random_bit_dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_drop_rate_and_scale(p):
    torch.manual_seed(0)
    x = torch.rand(1001, 999, dtype=torch.float64) + 1  # odd size: the int32 view is cut
    out = random_bit_dropout(x, p)
    kept = out != 0
    # the drop count is binomial: 6 standard deviations
    n = x.numel()
    assert abs((n - kept.sum().item()) - p * n) < 6 * (n * p * (1 - p)) ** 0.5
    torch.testing.assert_close(out[kept], x[kept] / (1 - p))


def test_masks_differ_between_calls_and_entries_are_independent():
    torch.manual_seed(0)
    x = torch.ones(400, 500)
    first, second = random_bit_dropout(x, 0.5) != 0, random_bit_dropout(x, 0.5) != 0
    assert (first != second).any()
    # neighbours come from the two halves of one int64 draw: they must not be correlated
    both = (first[:, 0::2] & first[:, 1::2]).float().mean().item()
    assert abs(both - 0.25) < 0.01


def test_gradient_is_the_scaled_mask():
    torch.manual_seed(0)
    x = torch.randn(64, 33, requires_grad=True)
    out = random_bit_dropout(x, 0.3)
    out.sum().backward()
    torch.testing.assert_close(x.grad, (out != 0).float() / 0.7)


def test_identity_without_training_or_probability_and_zero_at_one():
    x = torch.randn(5, 7)
    assert random_bit_dropout(x, 0.4, training=False) is x
    assert random_bit_dropout(x, 0.0) is x
    assert (random_bit_dropout(x, 1.0) == 0).all()
    with pytest.raises(ValueError):
        random_bit_dropout(x, 1.5)


def test_module_is_a_torch_dropout():
    module = RandomBitDropout(0.25)
    assert isinstance(module, torch.nn.Dropout) and module.p == 0.25
    x = torch.ones(100, 100)
    assert (module(x) == 0).any()
    assert module.eval()(x) is x


def test_traced_graph_draws_the_eager_mask():
    # dynamo traces the draw (no graph break), and with the eager backend it is the same draw
    x = torch.ones(60, 70)
    torch.manual_seed(0)
    eager = random_bit_dropout(x, 0.3)
    torch.manual_seed(0)
    traced = torch.compile(lambda y: random_bit_dropout(y, 0.3), fullgraph=True, backend="eager")(x)
    torch.testing.assert_close(traced, eager)


@pytest.mark.slow
def test_compiled_kernel_keeps_the_rate():
    # inductor generates its own random integers: the full-range draw must stay uniform there
    out = torch.compile(lambda y: random_bit_dropout(y, 0.3), fullgraph=True)(torch.ones(1000, 1001))
    kept = out != 0
    n = out.numel()
    assert abs((n - kept.sum().item()) - 0.3 * n) < 6 * (n * 0.3 * 0.7) ** 0.5
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 1 / 0.7))
