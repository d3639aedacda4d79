"""Random LGN activations and their transformation under SL(2, C), for the layer tests."""

import torch

from lorentznets.irreps import irrep_dim, irrep_representation


def random_features(irreps, batch, particles, channels, generator):
    """Complex128 activations {(k, n): (B, N, C, d)} with unit-scale entries."""
    out = {}
    for r in irreps:
        shape = (batch, particles, channels, irrep_dim(r))
        out[r] = torch.complex(
            torch.randn(shape, generator=generator, dtype=torch.float64),
            torch.randn(shape, generator=generator, dtype=torch.float64),
        )
    return out


def act(spinor, features):
    """Apply one SL(2, C) element (2, 2) to every irrep of an activation dict."""
    return {r: x @ irrep_representation(spinor, r).mT for r, x in features.items()}


def max_relative_error(got, expected):
    worst = 0.0
    assert sorted(got) == sorted(expected)
    for r in expected:
        scale = expected[r].abs().max().item()
        worst = max(worst, (got[r] - expected[r]).abs().max().item() / max(scale, 1e-300))
    return worst
