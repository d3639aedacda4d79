"""Resolution of reconstructed top momenta: transverse momentum, mass and direction."""

from __future__ import annotations

import numpy as np


def _robust_width(x: np.ndarray) -> float:
    """Half the 16-84 % inter-quantile range: the Gaussian sigma, insensitive to tails."""
    low, high = np.quantile(x, [0.16, 0.84])
    return float(0.5 * (high - low))


def kinematics(p: np.ndarray) -> dict[str, np.ndarray]:
    """pT (GeV), mass (GeV; 0 for spacelike by rounding) and unit 3-direction of (N, 4) momenta."""
    p = np.asarray(p, dtype=np.float64)
    pt = np.hypot(p[:, 1], p[:, 2])
    mass = np.sqrt(np.clip(p[:, 0] ** 2 - (p[:, 1:] ** 2).sum(axis=1), 0.0, None))
    norm = np.linalg.norm(p[:, 1:], axis=1, keepdims=True)
    return {"pt": pt, "mass": mass, "direction": p[:, 1:] / np.clip(norm, 1e-12, None)}


def residuals(predicted: np.ndarray, truth: np.ndarray) -> dict[str, np.ndarray]:
    """Relative pT and mass residuals (pred - true) / true and the 3D angle (rad) between them.

    Parameters
    ----------
    predicted, truth : np.ndarray with shape (N, 4)
        (E, px, py, pz) in GeV.

    Returns
    -------
    dict with "pt", "mass", "angle", each of shape (N,)
    """
    pred, true = kinematics(predicted), kinematics(truth)
    cosine = np.clip((pred["direction"] * true["direction"]).sum(axis=1), -1.0, 1.0)
    return {
        "pt": (pred["pt"] - true["pt"]) / true["pt"],
        "mass": (pred["mass"] - true["mass"]) / true["mass"],
        "angle": np.arccos(cosine),
    }


RESOLUTION_METRIC_NAMES = ("pt_resolution", "pt_bias", "mass_resolution", "mass_bias", "angle_median", "angle_68")
"""The names :func:`resolution_metrics` returns, in its order."""


def resolution_metrics(predicted: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Resolution summary.

    Returns
    -------
    dict
        ``pt_resolution`` and ``mass_resolution`` (robust sigma of the relative residual),
        ``pt_bias`` and ``mass_bias`` (median relative residual), ``angle_median`` and
        ``angle_68`` (median and 68 % quantile of the angle, rad).
    """
    if predicted.shape != truth.shape or predicted.ndim != 2 or predicted.shape[1] != 4:
        raise ValueError(f"expected two (N, 4) arrays, got {predicted.shape} and {truth.shape}")
    res = residuals(predicted, truth)
    values = (
        _robust_width(res["pt"]),
        float(np.median(res["pt"])),
        _robust_width(res["mass"]),
        float(np.median(res["mass"])),
        float(np.median(res["angle"])),
        float(np.quantile(res["angle"], 0.68)),
    )
    return dict(zip(RESOLUTION_METRIC_NAMES, values, strict=True))
