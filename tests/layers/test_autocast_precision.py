"""Under bf16 autocast, the precision-critical parts stay float32: products with frames, the
k-nearest-neighbour distances and the masked batch-norm statistics (CPU autocast; the CUDA tests
in tests/gpu run the nets under CUDA autocast)."""

import torch

from lorentznets.frames import LearnedFrames, TensorReps, change_of_frame, local_jet_features, to_local
from lorentznets.layers.lloca import frame_attention, frame_transforms
from lorentznets.layers.lorentznet import MaskedBatchNorm1d, real_pairs
from lorentznets.layers.part import standard_attention
from lorentznets.layers.part.masked_batch_norm import MaskedBatchNorm
from lorentznets.layers.particlenet import knn_indices
from lorentznets.lorentz import random_lorentz_transform


def bf16_autocast():
    return torch.autocast("cpu", dtype=torch.bfloat16)


def test_products_with_frames_ignore_autocast():
    g = torch.Generator().manual_seed(0)
    frames = random_lorentz_transform((3, 5), max_rapidity=4.0, generator=g).float()
    vectors = torch.randn(3, 5, 4, generator=g)
    expected_local, expected_change = to_local(frames, vectors), change_of_frame(frames[:, :1], frames)
    with bf16_autocast():
        local, change = to_local(frames, vectors), change_of_frame(frames[:, :1], frames)
    assert local.dtype == change.dtype == torch.float32
    torch.testing.assert_close(local, expected_local, rtol=0, atol=0)
    torch.testing.assert_close(change, expected_change, rtol=0, atol=0)
    # a float64 frame keeps float64 (no rounding to float32 either)
    assert to_local(frames.double(), vectors).dtype == torch.float64


def test_learned_frames_and_local_features_ignore_autocast():
    """With the vector net's logits in bf16, frames of an untrained net moved by up to 30%."""
    g = torch.Generator().manual_seed(4)
    mask = torch.arange(12) < torch.tensor([12, 7, 9])[:, None]
    pt, eta, phi = 5 * torch.rand(3, 12, generator=g) + 0.5, *(0.3 * torch.randn(2, 3, 12, generator=g))
    p = torch.stack((pt * eta.cosh(), pt * phi.cos(), pt * phi.sin(), pt * eta.sinh()), -1) * mask[..., None]
    scalars = torch.randn(3, 12, 2, generator=g)
    torch.manual_seed(0)
    frames_net = LearnedFrames("polar", {"hidden_channels": 16, "num_layers": 2, "num_scalars": 2}, eps_mass=0.01)
    for pairs in (None, real_pairs(mask)):
        expected = frames_net(p, mask, scalars, pairs)
        with bf16_autocast():
            frames = frames_net(p, mask, scalars, pairs)
            features = local_jet_features(p, frames, mask, 5.0)
        assert frames.dtype == features.dtype == torch.float32
        torch.testing.assert_close(frames, expected, rtol=0, atol=0)
        torch.testing.assert_close(features, local_jet_features(p, expected, mask, 5.0), rtol=0, atol=0)


def test_nearest_neighbours_of_clustered_points_under_autocast():
    """Points about 0.1 apart at distance 14 from the origin: in bf16, |a|^2 - 2 a.b + |b|^2 would
    be rounding noise of about 1 (and was: the neighbours came out wrong before the fix)."""
    g = torch.Generator().manual_seed(1)
    points = 10 + 0.1 * torch.randn(2, 12, 2, generator=g)
    reference = torch.cdist(points.double(), points.double()).topk(4, dim=-1, largest=False).indices[..., 1:]
    with bf16_autocast():
        indices = knn_indices(points, 3)
    torch.testing.assert_close(indices, reference, rtol=0, atol=0)


def test_part_masked_batch_norm_under_autocast_keeps_float32_statistics():
    g = torch.Generator().manual_seed(2)
    x = torch.randn(3, 6, 4, generator=g) + 5
    mask = torch.rand(3, 6, generator=g) > 0.3
    norm, reference = MaskedBatchNorm(4), MaskedBatchNorm(4)
    expected = reference(x, mask)
    with bf16_autocast():
        out = norm(x, mask)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, expected, rtol=0, atol=0)
    torch.testing.assert_close(norm.running_mean, reference.running_mean, rtol=0, atol=0)
    torch.testing.assert_close(norm.running_var, reference.running_var, rtol=0, atol=0)


def test_lorentznet_masked_batch_norm_takes_float32_statistics_of_bf16_input():
    g = torch.Generator().manual_seed(3)
    x = (torch.randn(3, 6, 4, generator=g) + 5).bfloat16()
    mask = torch.rand(3, 6, generator=g) > 0.3
    norm, reference = MaskedBatchNorm1d(4), MaskedBatchNorm1d(4)
    out = norm(x, mask)
    expected = reference(x.float(), mask)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, expected, rtol=0, atol=0)
    torch.testing.assert_close(norm.running_var, reference.running_var, rtol=0, atol=0)


def test_frame_attention_scores_ignore_autocast():
    """The global components of boosted frames cancel in the attention's Minkowski products: under
    bf16 autocast the scores were bf16 (LLoCa-ParT logits off by more than their spread); now the
    padded path computes in float32 from the (rounded) bf16 inputs, as the packed path does."""
    g = torch.Generator().manual_seed(2)
    frames = random_lorentz_transform((2, 6), max_rapidity=3.0, generator=g).float()
    transforms = frame_transforms(frames, TensorReps.cast("2x0n+1x1n"))
    q, k, v, bias = (torch.randn(2, 4, 6, 6, generator=g).bfloat16() for _ in range(4))
    for attention in (standard_attention, torch.nn.functional.scaled_dot_product_attention):
        with bf16_autocast():
            out = frame_attention(q, k, v, transforms, bias, attention=attention)
        expected = frame_attention(q.float(), k.float(), v.float(), transforms, bias.float(), attention=attention)
        assert out.dtype == torch.float32
        torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
