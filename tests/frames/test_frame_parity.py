import torch

from lorentznets.frames import frame_parity
from lorentznets.lorentz import random_lorentz_transform


def test_equals_the_sign_of_the_determinant():
    g = torch.Generator().manual_seed(0)
    general = torch.randn(300, 4, 4, generator=g, dtype=torch.float64)
    torch.testing.assert_close(frame_parity(general), torch.linalg.det(general).sign(), rtol=0, atol=0)


def test_lorentz_frames_with_and_without_parity_and_time_reversal_also_in_float32():
    g = torch.Generator().manual_seed(1)
    shape = (200,)
    proper = random_lorentz_transform(shape, max_rapidity=8.0, generator=g)
    reflected = random_lorentz_transform(shape, max_rapidity=8.0, generator=g, parity=True)
    reversed_time = random_lorentz_transform(shape, max_rapidity=8.0, generator=g, time_reversal=True)
    both = random_lorentz_transform(shape, max_rapidity=8.0, generator=g, parity=True, time_reversal=True)
    for frames in (proper, reflected, reversed_time, both):
        expected = torch.linalg.det(frames).sign()
        torch.testing.assert_close(frame_parity(frames), expected, rtol=0, atol=0)
        parity32 = frame_parity(frames.float())
        assert parity32.dtype == torch.float32
        torch.testing.assert_close(parity32, expected.float(), rtol=0, atol=0)
    # parity and time reversal are drawn per transformation: both signs occur
    assert (frame_parity(proper) == 1).all()
    assert set(frame_parity(reflected).tolist()) == set(frame_parity(reversed_time).tolist()) == {-1.0, 1.0}


def test_has_no_gradient():
    frames = random_lorentz_transform((3,), generator=torch.Generator().manual_seed(2)).requires_grad_()
    assert not frame_parity(frames).requires_grad
