"""Flow coordinates for jets: standardised (log(pt - pt_min), eta, phi, log(m^2 + eps)).

The shifted log pt makes every transported point satisfy pt > pt_min by construction; the small
``mass_eps`` keeps massless jets finite. phi stays in radians, unstandardised and periodic.
"""

import torch
from torch import nn

from ..data.input_checks import all_finite
from ..lorentz import azimuth, from_pt_eta_phi_m, pseudorapidity, squared_mass, transverse_momentum
from .angles import wrap_angle

__all__ = ["JetCoordinates", "PERIODIC_COMPONENTS"]

PERIODIC_COMPONENTS = torch.tensor([False, False, True, False])
"""Which of the four per-jet flow coordinates (log pt, eta, phi, log m^2) is an angle."""


class JetCoordinates(nn.Module):
    """Invertible map between jet 4-momenta and standardised flow coordinates.

    Physical coordinates per jet: ``(log(pt - pt_min), eta, phi, log(m^2 + mass_eps))`` with pt
    in GeV and m^2 in GeV^2. Flow coordinates ``x`` subtract a per-jet, per-component mean and
    divide by a standard deviation (fitted on training data by :meth:`fit`), except for phi.
    The fitted statistics are buffers, so they travel with a model's state dict.

    Parameters
    ----------
    n_jets : int
        Jets per event.
    pt_min : float
        Lower bound on pt (GeV); every jet of the data must lie strictly above it.
    mass_eps : float
        Regulator added to m^2 (GeV^2) before the logarithm.

    Examples
    --------
    >>> coords = JetCoordinates(n_jets=6, pt_min=20.0)
    >>> p = coords.x_to_fourmomenta(torch.zeros(2, 6, 4, dtype=torch.float64))
    >>> torch.allclose(coords.fourmomenta_to_x(p), torch.zeros(2, 6, 4, dtype=torch.float64))
    True
    """

    def __init__(self, n_jets: int, pt_min: float = 0.0, mass_eps: float = 1e-2):
        super().__init__()
        if n_jets < 1:
            raise ValueError(f"JetCoordinates: n_jets must be >= 1, got {n_jets}")
        if pt_min < 0 or mass_eps <= 0:
            raise ValueError(f"JetCoordinates: need pt_min >= 0 and mass_eps > 0, got {pt_min}, {mass_eps}")
        self.n_jets = n_jets
        self.pt_min = float(pt_min)
        self.mass_eps = float(mass_eps)
        self.register_buffer("mean", torch.zeros(n_jets, 4, dtype=torch.float64))
        self.register_buffer("std", torch.ones(n_jets, 4, dtype=torch.float64))
        self.register_buffer("momentum_scale", torch.ones((), dtype=torch.float64))

    @property
    def periodic(self) -> torch.Tensor:
        """Bool mask with shape (n_jets, 4), True for phi."""
        return PERIODIC_COMPONENTS.expand(self.n_jets, 4).to(self.mean.device)

    def _check_shape(self, tensor: torch.Tensor, name: str) -> None:
        if tensor.shape[-2:] != (self.n_jets, 4):
            raise ValueError(
                f"JetCoordinates: {name} must have shape (..., {self.n_jets}, 4), got {tuple(tensor.shape)}"
            )

    def _check_finite(self, tensor: torch.Tensor, name: str) -> None:
        if not all_finite(tensor):
            bad = int((~torch.isfinite(tensor)).flatten(-2).any(-1).sum())
            raise ValueError(f"JetCoordinates: {name} has NaN or inf entries in {bad} events")

    def check_fourmomenta(self, p: torch.Tensor) -> None:
        """Raise a clear ``ValueError`` unless ``p`` (..., n_jets, 4) holds finite jets above ``pt_min``.

        Reads tensor values (a host-device synchronisation): meant for where the data enter.
        """
        self._check_shape(p, "4-momenta")
        self._check_finite(p, "4-momenta")
        pt = transverse_momentum(p)
        low = pt <= self.pt_min
        if bool(low.any()):
            first = torch.nonzero(low.reshape(-1, self.n_jets))[0].tolist()
            raise ValueError(
                f"JetCoordinates: {int(low.sum())} jets have pt <= pt_min = {self.pt_min} GeV, the first jet "
                f"{first[1]} of event {first[0]} (smallest pt {float(pt.min()):.3f} GeV); lower pt_min below "
                "the data's pt cut"
            )

    def fourmomenta_to_physical(self, p: torch.Tensor, validate: bool = False) -> torch.Tensor:
        """(E, px, py, pz) -> (log(pt - pt_min), eta, phi, log(m^2 + eps)).

        Parameters
        ----------
        p : torch.Tensor with shape (..., n_jets, 4)
            Jet 4-momenta in GeV.
        validate : bool
            Run :meth:`check_fourmomenta` first (reads values; off on the training path).

        Returns
        -------
        torch.Tensor with shape (..., n_jets, 4), phi in [-pi, pi)
        """
        if validate:
            self.check_fourmomenta(p)
        self._check_shape(p, "4-momenta")
        pt = transverse_momentum(p)
        m2 = squared_mass(p).clamp_min(0.0)
        return torch.stack(
            [
                torch.log(pt - self.pt_min),
                pseudorapidity(p),
                wrap_angle(azimuth(p)),
                torch.log(m2 + self.mass_eps),
            ],
            dim=-1,
        )

    def physical_to_fourmomenta(self, z: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`fourmomenta_to_physical`; m^2 below zero (possible for sampled
        points with log(m^2 + eps) < log eps) is set to zero.

        Parameters
        ----------
        z : torch.Tensor with shape (..., n_jets, 4)

        Returns
        -------
        torch.Tensor with shape (..., n_jets, 4)
            4-momenta (E, px, py, pz) in GeV.
        """
        log_pt, eta, phi, log_m2 = z.unbind(-1)
        pt = torch.exp(log_pt) + self.pt_min
        m = torch.sqrt((torch.exp(log_m2) - self.mass_eps).clamp_min(0.0))
        return from_pt_eta_phi_m(torch.stack([pt, eta, phi, m], dim=-1))

    def standardize(self, z: torch.Tensor) -> torch.Tensor:
        """Physical coordinates (..., n_jets, 4) -> flow coordinates (..., n_jets, 4)."""
        return (z - self.mean.to(z.dtype)) / self.std.to(z.dtype)

    def unstandardize(self, x: torch.Tensor) -> torch.Tensor:
        """Flow coordinates (..., n_jets, 4) -> physical coordinates (..., n_jets, 4)."""
        return x * self.std.to(x.dtype) + self.mean.to(x.dtype)

    def fourmomenta_to_x(self, p: torch.Tensor, validate: bool = False) -> torch.Tensor:
        """4-momenta (..., n_jets, 4) in GeV -> flow coordinates (..., n_jets, 4).

        ``validate`` runs :meth:`check_fourmomenta` first (use it where data are loaded).
        """
        return self.standardize(self.fourmomenta_to_physical(p, validate))

    def x_to_fourmomenta(self, x: torch.Tensor, validate: bool = False) -> torch.Tensor:
        """Flow coordinates (..., n_jets, 4) -> 4-momenta (..., n_jets, 4) in GeV.

        ``validate`` also checks that ``x`` is finite (reads values).
        """
        self._check_shape(x, "flow coordinates")
        if validate:
            self._check_finite(x, "flow coordinates")
        return self.physical_to_fourmomenta(self.unstandardize(x))

    @torch.no_grad()
    def fit(self, p: torch.Tensor) -> "JetCoordinates":
        """Set the standardisation from training 4-momenta.

        Also sets ``momentum_scale`` (GeV), the root mean square of all 4-momentum components,
        a natural unit for networks that take 4-momenta as input.

        Parameters
        ----------
        p : torch.Tensor with shape (N, n_jets, 4)
            Training events in GeV, N >= 2.

        Returns
        -------
        JetCoordinates
            ``self``, for chaining.
        """
        if p.dim() != 3 or p.shape[0] < 2:
            raise ValueError(
                f"JetCoordinates.fit: need 4-momenta of shape (N >= 2, {self.n_jets}, 4), got {tuple(p.shape)}"
            )
        z = self.fourmomenta_to_physical(p.to(torch.float64), validate=True)
        mean, std = z.mean(dim=0), z.std(dim=0).clamp_min(1e-6)
        periodic = self.periodic
        self.mean.copy_(torch.where(periodic, torch.zeros_like(mean), mean))
        self.std.copy_(torch.where(periodic, torch.ones_like(std), std))
        self.momentum_scale.copy_(p.to(torch.float64).pow(2).mean().sqrt())
        return self

    def log_abs_det_jacobian(self, x: torch.Tensor) -> torch.Tensor:
        """log |det d p / d x| of the map from flow coordinates to 4-momenta, summed over jets.

        Per jet, with a = log(pt - pt_min) and b = log(m^2 + eps),
        ``|d^4 p / d(a, eta, phi, b)| = pt^2 cosh(eta) (pt - pt_min) (m^2 + eps) / (2 E)``,
        times the standardisation scales. Valid where m^2 > 0 (not clamped).

        Parameters
        ----------
        x : torch.Tensor with shape (B, n_jets, 4)

        Returns
        -------
        torch.Tensor with shape (B,)
            Add to the negative log-likelihood in x to obtain it in 4-momentum space
            (density per GeV^4 per jet).
        """
        z = self.unstandardize(x)
        log_pt_shift, eta, _, log_m2 = z.unbind(-1)
        pt = torch.exp(log_pt_shift) + self.pt_min
        energy = self.physical_to_fourmomenta(z)[..., 0]
        per_jet = 2 * torch.log(pt) + torch.log(torch.cosh(eta)) + log_pt_shift + log_m2 - torch.log(2 * energy)
        return per_jet.sum(dim=-1) + torch.log(self.std.to(x.dtype)).sum()
