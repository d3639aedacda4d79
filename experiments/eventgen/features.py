"""Network input features built from the current point of the flow."""

import torch

__all__ = ["jet_features", "JET_FEATURES", "ROTATION_INVARIANT", "invariant_token_scalars"]

JET_FEATURES = 5
"""Features per jet from :func:`jet_features`."""


def jet_features(x: torch.Tensor) -> torch.Tensor:
    """Flow coordinates with the angle replaced by its cosine and sine (continuous on the circle).

    Parameters
    ----------
    x : torch.Tensor with shape (B, n_jets, 4)
        Standardised (log pt, eta, phi, log m^2) per jet.

    Returns
    -------
    torch.Tensor with shape (B, n_jets, 5)
        (log pt, eta, cos phi, sin phi, log m^2).
    """
    return torch.stack([x[..., 0], x[..., 1], torch.cos(x[..., 2]), torch.sin(x[..., 2]), x[..., 3]], dim=-1)


ROTATION_INVARIANT = [0, 1, 3]
"""Flow coordinates unchanged by rotations about the beam: log pt, eta, log m^2."""


def invariant_token_scalars(x: torch.Tensor, positions: torch.Tensor, time: torch.Tensor) -> torch.Tensor:
    """Per-jet scalars of the equivariant velocity networks: the rotation-invariant coordinates,
    a one-hot jet position and the time embedding.

    Parameters
    ----------
    x : torch.Tensor with shape (B, n_jets, 4)
        Standardised (log pt, eta, phi, log m^2) per jet.
    positions : torch.Tensor with shape (n_jets, n_jets)
        One-hot positions (the identity).
    time : torch.Tensor with shape (B, T)
        Embedded flow times.

    Returns
    -------
    torch.Tensor with shape (B, n_jets, 3 + n_jets + T)
    """
    batch, n_jets = x.shape[:2]
    time = time[:, None, :].expand(batch, n_jets, -1)
    return torch.cat([x[..., ROTATION_INVARIANT], positions.to(x.dtype).expand(batch, -1, -1), time], dim=-1)
