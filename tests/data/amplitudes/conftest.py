"""Fixtures for the amplitude tests: phase-space points and random Lorentz transformations."""

import numpy as np
import pytest
import torch

from lorentznets.data.amplitudes import Couplings, get_process, incoming_momenta, passes_cuts, rambo
from lorentznets.lorentz import random_lorentz_transform


def _phase_space_points(process_name: str, n_events: int, seed: int = 0, sqrt_s: float = 1000.0):
    """CM-frame momenta (n_events, n, 4) of a process that pass the default generation cuts."""
    process = get_process(process_name)
    rng = np.random.default_rng(seed)
    masses = process.final_masses(Couplings())
    is_gluon = np.array([name == "g" for name in process.particles[2:]])
    final, _ = rambo(rng, 20 * n_events, sqrt_s, masses)
    final = final[passes_cuts(final, is_gluon, 20.0, 0.4)][:n_events]
    assert final.shape[0] == n_events
    return np.concatenate([incoming_momenta(n_events, sqrt_s), final], axis=1)


def _lorentz_transform(p: np.ndarray, seed: int, parity: bool = False) -> np.ndarray:
    """Apply one random Lorentz transformation (boost rapidity up to 6) per event to p (N, n, 4)."""
    generator = torch.Generator().manual_seed(seed)
    matrix = random_lorentz_transform((p.shape[0],), max_rapidity=6.0, generator=generator, parity=parity)
    return np.einsum("eij,enj->eni", matrix.numpy(), p)


@pytest.fixture
def couplings() -> Couplings:
    return Couplings()


@pytest.fixture
def phase_space_points():
    return _phase_space_points


@pytest.fixture
def lorentz_transform():
    return _lorentz_transform
