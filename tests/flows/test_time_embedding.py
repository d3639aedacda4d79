import torch

from lorentznets.flows import GaussianFourierTimeEmbedding


def test_embedding_shape_range_and_reproducibility():
    t = torch.rand(7)
    a, b = GaussianFourierTimeEmbedding(16, seed=3), GaussianFourierTimeEmbedding(16, seed=3)
    out = a(t)
    assert out.shape == (7, 16)
    assert torch.equal(out, b(t))
    # sin^2 + cos^2 = 1 per frequency.
    assert torch.allclose(out[:, :8] ** 2 + out[:, 8:] ** 2, torch.ones(7, 8), atol=1e-6)
    assert not torch.equal(out, GaussianFourierTimeEmbedding(16, seed=4)(t))
