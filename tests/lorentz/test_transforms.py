import pytest
import torch

from lorentznets.lorentz import (
    boost_matrix,
    lorentz_violation,
    parity_matrix,
    random_boost,
    random_lorentz_transform,
    random_rotation,
    rapidity,
    time_reversal_matrix,
)


def _relative_violation(matrix):
    return lorentz_violation(matrix) / matrix.abs().amax(dim=(-1, -2)) ** 2


@pytest.mark.parametrize("parity,time_reversal", [(False, False), (True, False), (True, True)])
def test_samples_are_lorentz_transformations(parity, time_reversal):
    gen = torch.Generator().manual_seed(0)
    matrix = random_lorentz_transform(
        (500,), max_rapidity=6.0, generator=gen, parity=parity, time_reversal=time_reversal
    )
    assert matrix.shape == (500, 4, 4) and matrix.dtype == torch.float64
    # Entries reach cosh(6)^2 ~ 4e4 in L^T g L, so the check is relative to that scale.
    assert _relative_violation(matrix).max() < 1e-14


def test_small_boosts_satisfy_metric_absolutely():
    gen = torch.Generator().manual_seed(1)
    matrix = random_lorentz_transform((200,), max_rapidity=2.0, generator=gen)
    assert lorentz_violation(matrix).max() < 1e-12


def test_proper_orthochronous_by_default():
    matrix = random_lorentz_transform((300,), generator=torch.Generator().manual_seed(2))
    assert torch.allclose(torch.linalg.det(matrix), torch.ones(300, dtype=torch.float64))
    assert (matrix[:, 0, 0] >= 1.0).all()


def test_discrete_elements_appear_with_flags():
    gen = torch.Generator().manual_seed(3)
    matrix = random_lorentz_transform((400,), generator=gen, parity=True, time_reversal=True)
    det = torch.linalg.det(matrix)
    assert (det < 0).any() and (det > 0).any()
    assert (matrix[:, 0, 0] < 0).any() and (matrix[:, 0, 0] > 0).any()
    assert torch.equal(parity_matrix() @ parity_matrix(), torch.eye(4, dtype=torch.float64))
    assert torch.equal(time_reversal_matrix() @ time_reversal_matrix(), torch.eye(4, dtype=torch.float64))


def test_reproducible_with_generator():
    a = random_lorentz_transform((5,), generator=torch.Generator().manual_seed(7))
    b = random_lorentz_transform((5,), generator=torch.Generator().manual_seed(7))
    assert torch.equal(a, b)


def test_boost_changes_rapidity_additively():
    p = torch.tensor([[10.0, 1.0, 2.0, 3.0]], dtype=torch.float64)
    axis = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    boosted = p @ boost_matrix(torch.tensor(6.0, dtype=torch.float64), axis).mT
    assert torch.allclose(rapidity(boosted) - rapidity(p), torch.tensor([6.0], dtype=torch.float64))


def test_fixed_rapidity_boost():
    matrix = random_boost((10,), rapidity=4.0, generator=torch.Generator().manual_seed(4))
    assert torch.allclose(matrix[:, 0, 0], torch.cosh(torch.tensor(4.0, dtype=torch.float64)).expand(10))


def test_rotation_is_orthogonal_and_proper():
    rot = random_rotation((50,), generator=torch.Generator().manual_seed(5))[:, 1:, 1:]
    eye = torch.eye(3, dtype=torch.float64).expand(50, 3, 3)
    assert torch.allclose(rot.mT @ rot, eye, atol=1e-14)
    assert torch.allclose(torch.linalg.det(rot), torch.ones(50, dtype=torch.float64))
