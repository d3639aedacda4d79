"""Embedding and extraction of physical objects, and spurions."""

import pytest
import torch

from lorentznets.algebra import grade_project, transform_multivector
from lorentznets.interface import (
    embed_bivector,
    embed_pseudoscalar,
    embed_scalar,
    embed_vector,
    extract_bivector,
    extract_pseudoscalar,
    extract_scalar,
    extract_vector,
    num_spurions,
    spurions,
)
from lorentznets.lorentz import random_lorentz_transform, squared_mass


def test_round_trips_and_grades():
    p = torch.randn(5, 4, dtype=torch.float64)
    mv = embed_vector(p)
    assert torch.equal(extract_vector(mv), p)
    assert torch.equal(grade_project(mv, 1), mv)
    s = torch.randn(5, 1)
    assert torch.equal(extract_scalar(embed_scalar(s)), s)
    assert torch.equal(extract_pseudoscalar(embed_pseudoscalar(s)), s)
    b = torch.randn(5, 6)
    assert torch.equal(extract_bivector(embed_bivector(b)), b)
    with pytest.raises(ValueError, match="last dimension 4"):
        embed_vector(torch.zeros(3, 3))


def test_vector_embedding_is_equivariant():
    p = torch.randn(5, 4, dtype=torch.float64)
    L = random_lorentz_transform((), max_rapidity=6.0)
    torch.testing.assert_close(transform_multivector(L, embed_vector(p)), embed_vector(p @ L.T), rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize(
    ("beam", "time", "mirror", "n"),
    [("xyplane", True, True, 2), ("lightlike", True, True, 3), ("timelike", False, False, 1), (None, True, True, 1)],
)
def test_spurions(beam, time, mirror, n):
    out = spurions(beam, time, mirror, dtype=torch.float64)
    assert out.shape == (n, 16) == (num_spurions(beam, time, mirror), 16)
    if beam == "xyplane":
        assert out[0, 8] == 1 and out[0].abs().sum() == 1
    if time:
        assert torch.equal(extract_vector(out[-1]), torch.tensor([1.0, 0, 0, 0], dtype=torch.float64))
    with pytest.raises(ValueError, match="unknown beam spurion"):
        spurions("diagonal")


def test_spurions_match_official_package():
    lgatr = pytest.importorskip("lgatr")
    for beam in ("xyplane", "lightlike", "spacelike", "timelike", None):
        ours = spurions(beam, True, True)
        torch.testing.assert_close(ours, lgatr.get_spurions(beam, True, True))


def test_prepend_beams_puts_two_beams_first_and_pads_scalars():
    from lorentznets.interface import prepend_beams

    p = torch.randn(3, 5, 4, dtype=torch.float64)
    mask = torch.rand(3, 5) > 0.3
    scalars = torch.randn(3, 5, 2, dtype=torch.float64)
    q, m, is_beam, s = prepend_beams(p, mask, 2.0**0.5, scalars)
    expected = torch.tensor([[2.0**0.5, 0, 0, 1], [2.0**0.5, 0, 0, -1]], dtype=torch.float64)
    assert torch.equal(q[:, :2], expected.expand(3, 2, 4)) and torch.equal(q[:, 2:], p)
    assert m[:, :2].all() and torch.equal(m[:, 2:], mask)
    assert torch.equal(is_beam, torch.cat([torch.ones(3, 2), torch.zeros(3, 5)], dim=1).double())
    assert torch.equal(s[:, :2], torch.zeros(3, 2, 2, dtype=torch.float64)) and torch.equal(s[:, 2:], scalars)
    # The beams are light-like for energy 1 and have unit mass for sqrt(2).
    assert torch.allclose(squared_mass(prepend_beams(p, mask, 1.0)[0][:, :2]), torch.zeros(3, 2, dtype=torch.float64))
    assert torch.allclose(squared_mass(q[:, :2]), torch.ones(3, 2, dtype=torch.float64))
