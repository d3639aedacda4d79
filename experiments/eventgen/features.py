"""Network input features built from the current point of the flow."""

import torch

__all__ = ["jet_features", "JET_FEATURES"]

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
