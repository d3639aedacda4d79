"""Physical test momenta for the frame tests."""

import pytest
import torch


def massive_momenta(batch: int, num: int, seed: int) -> torch.Tensor:
    """(batch, num, 4) float64 momenta of masses 1-5 GeV and momenta of tens of GeV."""
    generator = torch.Generator().manual_seed(seed)
    spatial = 20 * torch.randn(batch, num, 3, generator=generator, dtype=torch.float64)
    mass = 1 + 4 * torch.rand(batch, num, 1, generator=generator, dtype=torch.float64)
    energy = (spatial.square().sum(-1, keepdim=True) + mass**2).sqrt()
    return torch.cat((energy, spatial), dim=-1)


@pytest.fixture
def momenta() -> torch.Tensor:
    return massive_momenta(2, 7, seed=0)


@pytest.fixture
def mask() -> torch.Tensor:
    mask = torch.ones(2, 7, dtype=torch.bool)
    mask[1, 5:] = False
    return mask
