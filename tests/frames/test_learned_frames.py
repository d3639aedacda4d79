"""Learned frames: exact equivariance at rapidity 6 (float64), and symmetry breaking by references."""

import copy

import pytest
import torch

from lorentznets.frames import LearnedFrames, RandomGlobalFrames, identity_frames, inverse_frame, to_local
from lorentznets.lorentz import boost_matrix, random_rotation, rotation_matrix
from lorentznets.testing import assert_equivariant, assert_invariant

# the regularisations as the model configs set them, and the boost cap
REGULARISED = {"eps_mass": 1e-2, "eps_separation": 0.1, "gamma_max": 20.0}


def _frames(method, references=()):
    torch.manual_seed(0)
    vector_net = {"hidden_channels": 16, "references": references, "scale": 10.0}
    return LearnedFrames(method, vector_net, **REGULARISED).double()


@pytest.mark.parametrize("method", ["polar", "gram_schmidt"])
def test_learned_frames_equivariant(method, momenta, mask):
    net = _frames(method)

    def basis(p, m):  # (B, N, 4 basis vectors, 4); padded particles have degenerate frames
        return inverse_frame(net(p, m)).mT * m[..., None, None]

    # measured 1.1e-9 (polar) and 1.6e-9 (Gram-Schmidt) at a boost of rapidity 6 exactly
    assert_equivariant(basis, (momenta, mask), ("vector", "none"), ("vector",), particle_dims=(1, 1, 1), rtol=1e-8)

    def local(p, m):  # every particle's momentum in every frame: Lorentz invariant
        return to_local(net(p, m).unsqueeze(2), p.unsqueeze(1)) * m[:, :, None, None]

    # measured 2.3e-9 at a boost of rapidity 6 exactly
    assert_invariant(local, (momenta, mask), ("vector", "none"), particle_dims=(1, 1, (1, 2)), rtol=1e-8)


def _z_rotation(angle):
    angle = torch.tensor(angle, dtype=torch.float64)
    c, s = angle.cos(), angle.sin()
    return rotation_matrix(torch.tensor([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64))


def _boost(rapidity, axis):
    return boost_matrix(torch.tensor(rapidity, dtype=torch.float64), torch.tensor(axis, dtype=torch.float64))


GENERIC_ROTATION = random_rotation(generator=torch.Generator().manual_seed(5))
# the residual group of each choice of references, and transformations outside it
CASES = {
    ("beam",): ([_z_rotation(0.7) @ _boost(3.0, [1.0, 2.0, 0.0])], [_boost(2.0, [0.0, 0.0, 1.0]), GENERIC_ROTATION]),
    ("time",): ([GENERIC_ROTATION], [_boost(2.0, [0.0, 0.0, 1.0]), _boost(2.0, [1.0, 0.0, 0.0])]),
    ("beam", "time"): ([_z_rotation(2.1)], [GENERIC_ROTATION, _boost(2.0, [0.0, 0.0, 1.0])]),
}


@pytest.mark.parametrize("references", list(CASES))
@pytest.mark.parametrize("method", ["polar", "gram_schmidt"])
def test_references_break_exactly_to_their_subgroup(method, references, momenta, mask):
    net = _frames(method, references)
    kept, broken = CASES[references]
    real = mask[..., None, None]
    frames = net(momenta, mask) * real
    for matrix in kept:
        moved = net(momenta @ matrix.mT, mask) @ matrix * real
        assert (moved - frames).abs().max() < 1e-9 * frames.abs().max()
    for matrix in broken:
        moved = net(momenta @ matrix.mT, mask) @ matrix * real
        assert (moved - frames).abs().max() > 1e-3 * frames.abs().max()


def test_identity_and_random_global_frames(momenta):
    eye = torch.eye(4, dtype=torch.float64)
    torch.testing.assert_close(identity_frames(momenta), eye.expand(2, 7, 4, 4))
    frames = RandomGlobalFrames("lorentz", std_rapidity=0.5).train()(momenta)
    torch.testing.assert_close(frames, frames[:, :1].expand_as(frames))  # one transformation per event
    assert (frames - eye).abs().max() > 1e-3
    torch.testing.assert_close(RandomGlobalFrames().eval()(momenta), eye.expand(2, 7, 4, 4))


@pytest.mark.parametrize(
    ("transform", "kept"),
    [("rotation", [0]), ("z_rotation", [0, 3]), ("z_boost_rotation", [])],
)
def test_random_frames_change_only_what_they_claim(transform, kept, momenta):
    frames = RandomGlobalFrames(transform, std_rapidity=0.5).train()(momenta)
    local = to_local(frames, momenta)
    for component in kept:  # energy for rotations, energy and pz for rotations about z
        torch.testing.assert_close(local[..., component], momenta[..., component])
    pt = momenta[..., 1:3].norm(dim=-1)
    if transform != "rotation":  # rotations about z and boosts along z keep pT
        torch.testing.assert_close(local[..., 1:3].norm(dim=-1), pt)
    mass2 = lambda p: p[..., 0] ** 2 - p[..., 1:].square().sum(-1)  # noqa: E731
    torch.testing.assert_close(mass2(local), mass2(momenta))
    assert (local - momenta).abs().max() > 1e-3


def _boosted_jets(rapidity: float) -> torch.Tensor:
    """(8, 30, 4) float32: massless constituents within ~0.3 of one axis, pt 1-500 GeV, seen
    from a frame boosted by ``rapidity`` against the jets, then rounded to float32."""
    generator = torch.Generator().manual_seed(4)
    pt = 500 * torch.rand(8, 30, generator=generator, dtype=torch.float64) ** 3 + 1
    eta, phi = 0.3 * torch.randn(2, 8, 30, generator=generator, dtype=torch.float64)
    p = torch.stack((pt * eta.cosh(), pt * phi.cos(), pt * phi.sin(), pt * eta.sinh()), dim=-1)
    boost = boost_matrix(torch.full((8,), rapidity, dtype=torch.float64), torch.tensor([[0.6, 0.0, 0.8]]).double())
    return torch.einsum("bij,bnj->bni", boost, p).float()


@pytest.mark.parametrize("method", ["polar", "gram_schmidt"])
def test_float32_frames_of_boosted_jets_match_float64(method):
    """The frames' geometry runs in float64 whatever the input dtype: on float32 jets boosted by
    rapidity 3, a float32 module gives the float64 module's frames up to float32 rounding of the
    result (before, P^2 and pair products rounded to zero or below in float32, and frames moved
    by far more than their size)."""
    momenta = _boosted_jets(3.0)
    mask = torch.ones(momenta.shape[:2], dtype=torch.bool)
    torch.manual_seed(0)
    single = LearnedFrames(method, {"hidden_channels": 16, "scale": 100.0}, eps_mass=1e-2, eps_separation=0.1)
    double = copy.deepcopy(single).double()
    with torch.no_grad():
        frames, reference = single(momenta, mask), double(momenta.double(), mask)
    assert frames.dtype == torch.float32 and torch.isfinite(frames).all()
    scale = reference.abs().amax((-1, -2), keepdim=True)
    assert ((frames.double() - reference).abs() / scale).max() < 1e-4
