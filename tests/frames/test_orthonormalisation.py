"""Gram-Schmidt and polar-decomposition frames: Lorentz matrices, aligned, exactly equivariant."""

import pytest
import torch

from lorentznets.frames import (
    change_of_frame,
    gram_schmidt_frames,
    inverse_frame,
    polar_decomposition_frames,
    rest_frame_boost,
    to_local,
)
from lorentznets.lorentz import lorentz_violation, random_lorentz_transform
from lorentznets.testing import assert_equivariant

from .conftest import massive_momenta


def _vectors(seed: int) -> torch.Tensor:
    return massive_momenta(4, 3, seed)  # (4 particles, 3 vectors, 4), first one timelike


@pytest.mark.parametrize("method", ["gram_schmidt", "polar"])
def test_frames_are_proper_orthochronous_lorentz_matrices(method):
    vectors = _vectors(0)
    frames = (
        gram_schmidt_frames(vectors)
        if method == "gram_schmidt"
        else polar_decomposition_frames(vectors[:, 0], vectors[:, 1:])
    )
    assert (lorentz_violation(frames) / frames.abs().amax(dim=(-1, -2)) ** 2).max() < 1e-12
    torch.testing.assert_close(torch.linalg.det(frames), torch.ones(4, dtype=torch.float64))
    assert (frames[:, 0, 0] >= 1).all()
    torch.testing.assert_close(inverse_frame(frames) @ frames, torch.eye(4, dtype=torch.float64).expand(4, 4, 4))


def test_gram_schmidt_aligns_the_vectors():
    vectors = _vectors(1)
    local = to_local(gram_schmidt_frames(vectors).unsqueeze(1), vectors)  # (4, 3, 4)
    scale = 1e-12 * vectors.abs().max()
    assert local[:, 0, 1:].abs().max() < scale  # v0 along the time axis
    assert local[:, 1, 2:].abs().max() < scale  # v1 in the t-x plane
    assert local[:, 2, 3].abs().max() < scale  # v2 in the t-x-y space


def test_rest_frame_boost_brings_to_rest():
    p = _vectors(2)[:, 0]
    rest = to_local(rest_frame_boost(p), p)
    torch.testing.assert_close(rest[:, 1:], torch.zeros(4, 3, dtype=torch.float64), atol=1e-12, rtol=0)
    assert lorentz_violation(rest_frame_boost(p)).max() < 1e-12


@pytest.mark.parametrize("method", ["gram_schmidt", "polar"])
def test_frames_equivariant_at_rapidity_6(method):
    def basis(vectors):
        frames = (
            gram_schmidt_frames(vectors)
            if method == "gram_schmidt"
            else polar_decomposition_frames(vectors[:, 0], vectors[:, 1:])
        )
        # rows of L^-1 transposed are the basis vectors: four-vectors under the global transformation
        return inverse_frame(frames).mT

    # float64 rounding reaches 1.5e-9 of the output scale on some CPUs (AVX-512 kernels; 1e-9 held
    # on others): the boost, up to e^6 in the basis vectors, amplifies it; a defect gives O(1)
    error = assert_equivariant(basis, (_vectors(3),), ("vector",), ("vector",), max_rapidity=6.0, rtol=1e-8)
    assert error < 1e-8


def test_change_of_frame_composes():
    a, b = (random_lorentz_transform((3,), generator=torch.Generator().manual_seed(s)) for s in (1, 2))
    torch.testing.assert_close(change_of_frame(a, b) @ b, a)
