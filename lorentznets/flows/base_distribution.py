"""Base (noise) distribution of the flow, matched to the flow coordinates."""

import math

import torch

__all__ = ["GaussianUniformBase"]


class GaussianUniformBase:
    """Standard normal in every non-periodic component, uniform on [-pi, pi) in periodic ones.

    In standardised flow coordinates (log pt, eta, log m^2 scaled to unit variance, phi left in
    radians) this matches the data marginals to first order, so the flow only learns the
    correlations and the shape corrections.

    Parameters
    ----------
    periodic : torch.Tensor of bool with shape event_shape or broadcastable to it
        True for the components that are angles with period 2 pi.
    event_shape : tuple of int
        Shape of one event in flow coordinates, e.g. (n_jets, 4).

    Examples
    --------
    >>> base = GaussianUniformBase(torch.tensor([False, False, True, False]), (6, 4))
    >>> base.sample(10).shape
    torch.Size([10, 6, 4])
    """

    def __init__(self, periodic: torch.Tensor, event_shape: tuple[int, ...]):
        self.event_shape = tuple(event_shape)
        self.periodic = torch.broadcast_to(periodic.to(torch.bool), self.event_shape).clone()

    def sample(
        self,
        n: int,
        generator: torch.Generator | None = None,
        dtype: torch.dtype = torch.float32,
        device: torch.device | str | None = None,
    ) -> torch.Tensor:
        """Draw ``n`` events.

        Returns
        -------
        torch.Tensor with shape (n, *event_shape)
        """
        shape = (n, *self.event_shape)
        normal = torch.randn(shape, generator=generator, dtype=dtype, device=device)
        uniform = torch.rand(shape, generator=generator, dtype=dtype, device=device)
        uniform = (2 * uniform - 1) * math.pi
        return torch.where(self.periodic.to(device=normal.device), uniform, normal)

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        """Log density of events.

        Parameters
        ----------
        x : torch.Tensor with shape (B, *event_shape)
            Periodic components may lie anywhere; they are read modulo 2 pi.

        Returns
        -------
        torch.Tensor with shape (B,)
            Log density with respect to the Lebesgue measure on the flow coordinates.
        """
        self.check_events(x, "GaussianUniformBase.log_prob")
        periodic = self.periodic.to(device=x.device)
        gauss = -0.5 * x**2 - 0.5 * math.log(2 * math.pi)
        uniform = torch.full_like(x, -math.log(2 * math.pi))
        per_component = torch.where(periodic, uniform, gauss)
        return per_component.flatten(1).sum(dim=1)

    def check_events(self, x: torch.Tensor, caller: str, name: str = "events") -> None:
        """Refuse a batch whose events do not have this distribution's ``event_shape`` (shapes only:
        broadcasting would otherwise pair, say, one noise jet with every jet of an event).

        Parameters
        ----------
        x : torch.Tensor with shape (B, *event_shape)
        caller : str
            The function, for the message.
        name : str
            What ``x`` is, for the message.

        Raises
        ------
        ValueError
            Naming the expected and the given shapes.
        """
        if x.dim() == 0 or tuple(x.shape[1:]) != self.event_shape:
            raise ValueError(
                f"{caller}: expected {name} of shape {self.event_shape} (the base distribution's event_shape) "
                f"in a batch (B, {', '.join(map(str, self.event_shape))}), got a tensor of shape {tuple(x.shape)}"
            )
