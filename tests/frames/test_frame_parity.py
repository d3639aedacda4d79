import pytest
import torch

from lorentznets.frames import frame_parity
from lorentznets.lorentz import random_lorentz_transform


@pytest.mark.parametrize(("dtype", "max_rapidity"), [(torch.float64, 20.0), (torch.float32, 12.0)])
def test_lorentz_frames_with_and_without_parity_and_time_reversal(dtype, max_rapidity):
    """The determinant's sign, also for frames rounded to float32 at large rapidity (the 4 x 4
    determinant's cancelling e^(2y) terms lost it in float32 beyond y of about 8)."""
    g = torch.Generator().manual_seed(1)
    proper = random_lorentz_transform((400,), max_rapidity=max_rapidity, generator=g)
    assert (proper[..., 0, 0] > torch.cosh(torch.tensor(max_rapidity - 2.0))).sum() > 20  # large boosts
    parity = torch.diag(torch.tensor([1.0, -1.0, -1.0, -1.0], dtype=torch.float64))
    time_reversal = -parity
    expected = torch.ones(400, dtype=torch.float64)
    frames = proper.clone()
    frames[100:200] = parity @ proper[100:200]
    frames[200:300] = time_reversal @ proper[200:300]
    frames[300:] = proper[300:] @ parity @ time_reversal  # PT: proper again
    expected[100:300] = -1.0
    result = frame_parity(frames.to(dtype))
    assert result.dtype == dtype
    torch.testing.assert_close(result, expected.to(dtype), rtol=0, atol=0)


def test_has_no_gradient():
    frames = random_lorentz_transform((3,), generator=torch.Generator().manual_seed(2)).requires_grad_()
    assert not frame_parity(frames).requires_grad
