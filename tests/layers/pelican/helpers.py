"""Random masked pair features for the PELICAN layer tests."""

from __future__ import annotations

import torch


def random_mask(batch: int, n: int, generator: torch.Generator) -> torch.Tensor:
    """(B, N) bool mask with between min(2, N) and N real particles per set, at random positions."""
    mask = torch.zeros(batch, n, dtype=torch.bool)
    for b in range(batch):
        count = int(torch.randint(min(2, n), n + 1, (), generator=generator))
        mask[b, torch.randperm(n, generator=generator)[:count]] = True
    return mask


def masked_pairs(batch: int, n: int, channels: int, seed: int = 0):
    """Random float64 pair features zero on padded pairs, and their mask."""
    generator = torch.Generator().manual_seed(seed)
    mask = random_mask(batch, n, generator)
    pair_mask = (mask[:, :, None] & mask[:, None, :])[..., None]
    x = torch.randn(batch, n, n, channels, generator=generator, dtype=torch.float64)
    return x * pair_mask, mask


def randomize_parameters(module: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Give every parameter (biases, exponents too) a generic nonzero value, in float64."""
    generator = torch.Generator().manual_seed(seed)
    module = module.double()
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(0.3 * torch.randn(parameter.shape, generator=generator, dtype=torch.float64))
    return module
