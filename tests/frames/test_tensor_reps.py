"""Tensor representations: parsing, the action on every index, parity, the dense matrix of the action,
agreement with lloca."""

import pytest
import torch

from lorentznets.frames import TensorReps, representation_matrix, transform_tensor_reps
from lorentznets.lorentz import random_lorentz_transform


def test_parse_sorts_and_merges():
    reps = TensorReps.cast("2x1n+3x0n+1x1n+1x2p")
    assert str(reps) == "3x0n+3x1n+1x2p"
    assert reps.dim == 3 + 12 + 16
    assert reps.max_rank == 2
    with pytest.raises(ValueError):
        TensorReps.cast("4x1q")


def test_action_is_the_tensor_product_action():
    generator = torch.Generator().manual_seed(0)
    reps = TensorReps.cast("1x0n+2x1n+1x2n+1x3n+1x1p")
    m = random_lorentz_transform((3,), generator=generator, parity=True)
    x = torch.randn(3, reps.dim, dtype=torch.float64, generator=generator)
    parity = torch.linalg.det(m).sign()
    out = transform_tensor_reps(x, reps, m, parity)
    s, v, pv, t2, t3 = torch.split(x, [1, 8, 4, 16, 64], dim=-1)  # sorted by rank, even before odd
    expected = torch.cat(
        [
            s,
            torch.einsum("nab,ncb->nca", m, v.reshape(3, 2, 4)).flatten(1),
            parity[:, None] * torch.einsum("nab,nb->na", m, pv),
            torch.einsum("nab,ncd,nbd->nac", m, m, t2.reshape(3, 4, 4)).flatten(1),
            torch.einsum("nab,ncd,nef,nbdf->nace", m, m, m, t3.reshape(3, 4, 4, 4)).flatten(1),
        ],
        dim=-1,
    )
    torch.testing.assert_close(out, expected)


def test_matches_lloca():
    lloca = pytest.importorskip("lloca")
    from lloca.framesnet.frames import Frames

    reps = TensorReps.cast("4x0n+3x1n+1x1p+2x2n+1x3p")
    generator = torch.Generator().manual_seed(1)
    m = random_lorentz_transform((6,), generator=generator, parity=True)
    x = torch.randn(6, reps.dim, dtype=torch.float64, generator=generator)
    reference = lloca.TensorRepsTransform(lloca.TensorReps(str(reps)))(x, Frames(m))
    torch.testing.assert_close(transform_tensor_reps(x, reps, m, torch.linalg.det(m).sign()), reference)


def test_representation_matrix_is_the_action():
    generator = torch.Generator().manual_seed(2)
    reps = TensorReps.cast("3x0n+2x1n+1x0p+1x1p+1x2n")
    m = random_lorentz_transform((2, 3), generator=generator, parity=True)
    parity = torch.linalg.det(m).sign()
    assert (parity < 0).any()
    x = torch.randn(2, 3, 5, reps.dim, dtype=torch.float64, generator=generator)
    dense = representation_matrix(reps, m, parity)
    assert dense.shape == (2, 3, reps.dim, reps.dim)
    expected = transform_tensor_reps(x, reps, m.unsqueeze(2), parity.unsqueeze(2))
    torch.testing.assert_close(x @ dense.mT, expected)
