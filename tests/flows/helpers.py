"""Test helpers for the flows: plausible jets and an analytically solvable Gaussian flow."""

import math

import torch

from lorentznets.lorentz import from_pt_eta_phi_m


def make_jets(n_events: int, n_jets: int, seed: int = 0, dtype=torch.float64) -> torch.Tensor:
    """Jets with pt in (25, 400) GeV, |eta| < 2.5, masses in (2, 40) GeV.

    Returns
    -------
    torch.Tensor with shape (n_events, n_jets, 4)
        (E, px, py, pz) in GeV.
    """
    g = torch.Generator().manual_seed(seed)
    u = torch.rand(n_events, n_jets, 4, generator=g, dtype=dtype)
    pt = (25 - 60 * torch.log(u[..., 0])).clamp(max=400)
    eta = (2 * u[..., 1] - 1) * 2.5
    phi = (2 * u[..., 2] - 1) * math.pi
    mass = 2 + 38 * u[..., 3]
    return from_pt_eta_phi_m(torch.stack([pt, eta, phi, mass], dim=-1))


class GaussianInterpolation:
    """Straight-path flow from N(0, 1) to N(mu, sigma^2) per non-periodic component, and a
    constant rotation ``omega`` of the periodic components (which keeps the uniform uniform).

    Along the map x_t = (1 - t + t sigma) x0 + t mu the velocity is
    v(t, x) = (sigma - 1) / (1 - t + t sigma) (x - t mu) + mu.
    """

    def __init__(self, periodic: torch.Tensor, mu: torch.Tensor, sigma: torch.Tensor, omega: float):
        self.periodic, self.mu, self.sigma, self.omega = periodic, mu, sigma, omega

    def __call__(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        t = t.reshape(-1, *([1] * (x.dim() - 1))).to(x.dtype)
        scale = 1 - t + t * self.sigma
        v = (self.sigma - 1) / scale * (x - t * self.mu) + self.mu
        return torch.where(self.periodic, torch.full_like(x, self.omega), v)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Exact log density of the t = 1 distribution, shape (B,) for x (B, *event_shape)."""
        gauss = -0.5 * ((x - self.mu) / self.sigma) ** 2 - torch.log(self.sigma) - 0.5 * math.log(2 * math.pi)
        uniform = torch.full_like(x, -math.log(2 * math.pi))
        return torch.where(self.periodic, uniform, gauss).flatten(1).sum(1)
