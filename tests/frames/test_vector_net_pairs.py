"""The Frames-Net over the real pairs given by the host equals the padded computation, values and
gradients, in float64 (jets with one, two and all real particles; scalars and references)."""

import pytest
import torch

from lorentznets.frames import LearnedFrames
from lorentznets.frames.vector_net import EquivariantVectorNet
from lorentznets.layers.lorentznet import real_pairs

from .conftest import massive_momenta


def _padded_jets() -> tuple[torch.Tensor, torch.Tensor]:
    mask = torch.ones(4, 7, dtype=torch.bool)
    mask[1, 5:] = False
    mask[2, 1:] = False  # one particle: no partner, zero vectors
    mask[3, 2:] = False
    return massive_momenta(4, 7, seed=3) * mask[..., None], mask


@pytest.mark.parametrize(("num_scalars", "references"), [(0, ()), (2, ("beam", "time"))])
def test_real_pairs_give_the_padded_vectors_and_gradients(num_scalars, references):
    torch.manual_seed(0)
    net = EquivariantVectorNet(3, num_scalars, hidden_channels=16, references=references, scale=10.0).double()
    momenta, mask = _padded_jets()
    scalars = torch.randn(4, 7, num_scalars, dtype=torch.float64) if num_scalars else None
    outputs, grads = [], []
    for pairs in (None, real_pairs(mask)):
        net.zero_grad()
        leaf = momenta.clone().requires_grad_(True)
        vectors = net(leaf, mask, scalars, pairs) * mask[..., None, None]
        (vectors * torch.linspace(-1, 2, vectors.numel(), dtype=torch.float64).reshape(vectors.shape)).sum().backward()
        outputs.append(vectors)
        grads.append([leaf.grad, *(p.grad for p in net.parameters())])
    torch.testing.assert_close(outputs[1], outputs[0], rtol=1e-12, atol=1e-12)
    assert outputs[0][2].abs().max() == 0  # the lone particle
    for sparse, dense in zip(grads[1], grads[0], strict=True):
        torch.testing.assert_close(sparse, dense, rtol=1e-10, atol=1e-12)


def test_learned_frames_pass_the_pairs_on():
    torch.manual_seed(1)
    frames = LearnedFrames("polar", {"hidden_channels": 8, "scale": 10.0}).double()
    momenta, mask = _padded_jets()
    real = mask[..., None, None]
    torch.testing.assert_close(frames(momenta, mask, None, real_pairs(mask)) * real, frames(momenta, mask) * real)


def test_a_batch_of_no_jets_gives_no_vectors_with_pairs():
    net = EquivariantVectorNet(3, 2, hidden_channels=8, scale=10.0).double()
    momenta, mask = _padded_jets()
    empty_mask = mask[:0]
    vectors = net(momenta[:0], empty_mask, torch.zeros(0, 7, 2, dtype=torch.float64), real_pairs(empty_mask))
    assert vectors.shape == (0, 7, 3, 4)
