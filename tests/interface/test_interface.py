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
from lorentznets.lorentz import random_lorentz_transform


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
