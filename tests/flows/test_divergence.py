import torch

from lorentznets.flows import exact_divergence, hutchinson_divergence

_MATRIX = torch.randn(8, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def _field(x: torch.Tensor) -> torch.Tensor:
    """Per-event field on (B, 2, 4) with divergence trace(M) + sum cos(x)."""
    flat = x.flatten(1)
    return (flat @ _MATRIX.T + torch.sin(flat)).reshape(x.shape)


def _expected(x: torch.Tensor) -> torch.Tensor:
    return torch.trace(_MATRIX) + torch.cos(x.detach().flatten(1)).sum(1)


def _points(n: int = 5) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    return torch.randn(n, 2, 4, generator=g, dtype=torch.float64).requires_grad_(True)


def test_exact_divergence_of_known_field():
    x = _points()
    assert torch.allclose(exact_divergence(_field(x), x), _expected(x), atol=1e-12)


def test_hutchinson_is_unbiased():
    n_probes = 4000
    x = _points().detach()
    x_rep = x.repeat(n_probes, 1, 1).requires_grad_(True)
    g = torch.Generator().manual_seed(2)
    noise = (2 * torch.randint(0, 2, x_rep.shape, generator=g) - 1).to(x.dtype)
    estimates = hutchinson_divergence(_field(x_rep), x_rep, noise).reshape(n_probes, 5)
    standard_error = estimates.std(0) / n_probes**0.5
    assert ((estimates.mean(0) - _expected(x)).abs() < 5 * standard_error).all()
    assert (estimates.std(0) > 0).all()


def test_hutchinson_with_unit_probes_sums_to_the_exact_divergence():
    x = _points()
    total = torch.zeros(5, dtype=torch.float64)
    for i in range(8):
        probe = torch.zeros(8, dtype=torch.float64)
        probe[i] = 1
        total = total + hutchinson_divergence(_field(x), x, probe.reshape(2, 4).expand(5, 2, 4))
    assert torch.allclose(total, _expected(x), atol=1e-12)


def test_events_do_not_mix():
    x = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.allclose(exact_divergence(2.0 * x, x), torch.full((3,), 8.0, dtype=torch.float64))
