import torch

from lorentznets.layers.pelican import DotProductEncoder


def test_matches_published_transform_for_positive_products():
    encoder = DotProductEncoder(4).double()
    dots = torch.rand(2, 3, 3, dtype=torch.float64) * 1e4
    mask = torch.ones(2, 3, 3, dtype=torch.bool)
    a = encoder.alpha.detach().square() + 1e-6
    expected = ((1 + dots[..., None]) ** a - 1) / a
    torch.testing.assert_close(encoder(dots, mask), expected, rtol=1e-10, atol=1e-12)


def test_odd_masked_and_finite_gradient_at_zero():
    encoder = DotProductEncoder(3).double()
    dots = torch.tensor([[[-5.0, 0.0], [2.0, 1e8]]], dtype=torch.float64, requires_grad=True)
    mask = torch.tensor([[[True, True], [True, False]]])
    out = encoder(dots, mask)
    torch.testing.assert_close(encoder(-dots.detach(), mask)[0, 0, 0], -out.detach()[0, 0, 0], rtol=1e-12, atol=0.0)
    assert out[0, 1, 1].abs().max() == 0
    out.sum().backward()
    assert torch.isfinite(dots.grad).all()
    assert torch.isclose(dots.grad[0, 0, 1], torch.tensor(3.0, dtype=torch.float64))
