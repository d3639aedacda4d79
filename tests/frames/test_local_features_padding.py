"""local_jet_features: padded entries are zero whatever the padded momenta and frames hold (NaN
included), with the same real entries and finite gradients."""

import torch

from lorentznets.frames import local_jet_features

from .conftest import massive_momenta


def test_nan_padding_gives_the_same_features_and_finite_gradients():
    momenta = massive_momenta(2, 5, seed=1)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    frames = torch.eye(4, dtype=torch.float64).expand(2, 5, 4, 4).clone()
    padded = ~mask[..., None]
    expected = local_jet_features(momenta.masked_fill(padded, 0.0), frames, mask, scale=10.0)
    nan_momenta = momenta.masked_fill(padded, float("nan")).requires_grad_(True)
    nan_frames = frames.masked_fill(padded[..., None], float("nan"))
    features = local_jet_features(nan_momenta, nan_frames, mask, scale=10.0)
    assert torch.equal(features, expected)
    assert torch.equal(features[~mask], torch.zeros_like(features[~mask]))
    features.sum().backward()
    assert torch.isfinite(nan_momenta.grad).all()
