"""Fixtures for the flow tests."""

import pytest
import torch

from .helpers import GaussianInterpolation


@pytest.fixture
def gaussian_flow():
    periodic = torch.tensor([False, False, True, False]).expand(2, 4)
    g = torch.Generator().manual_seed(3)
    mu = torch.randn(2, 4, generator=g, dtype=torch.float64)
    sigma = 0.3 + 2 * torch.rand(2, 4, generator=g, dtype=torch.float64)
    return GaussianInterpolation(periodic, mu, sigma, omega=0.7)
