"""ParT pairwise interaction features: ln kT, ln z, ln Delta and ln m^2 of every particle pair."""

from __future__ import annotations

import math

import torch

from ...lorentz import safe_sqrt

PAIR_FEATURES = ("ln_kt", "ln_z", "ln_delta", "ln_m2")


def pairwise_interaction_features(
    p_i: torch.Tensor, p_j: torch.Tensor, names: tuple[str, ...] = PAIR_FEATURES, eps: float = 1e-8
) -> torch.Tensor:
    """The Particle Transformer's pair features (arXiv 2202.03772, eq. 3), for broadcastable pairs.

    With rapidity y, azimuth phi and transverse momentum pT of each particle,
    ``Delta = sqrt(dy^2 + dphi^2)``, ``kT = min(pT_i, pT_j) Delta``,
    ``z = min(pT_i, pT_j) / (pT_i + pT_j)`` and ``m^2 = (p_i + p_j)^2``; each is clamped from below
    by ``eps`` before the logarithm (GeV units), so padded (zero) particles give finite values.
    Only ``ln_m2`` is a Lorentz scalar.

    Parameters
    ----------
    p_i, p_j : torch.Tensor with broadcastable shapes (..., 4)
        (E, px, py, pz) in GeV.
    names : tuple of str
        Which features, in which order, among ``PAIR_FEATURES``.
    eps : float
        Lower clamp of every argument of a logarithm.

    Returns
    -------
    torch.Tensor with shape (..., len(names))
    """
    unknown = set(names) - set(PAIR_FEATURES)
    if unknown:
        raise ValueError(f"unknown pair features {sorted(unknown)}; choose from {PAIR_FEATURES}")
    out = {}
    if "ln_m2" in names:
        total = p_i + p_j
        m2 = total[..., 0].square() - total[..., 1:].square().sum(dim=-1)
        out["ln_m2"] = m2.clamp(min=eps).log()
    if set(names) - {"ln_m2"}:
        pt_i, y_i, phi_i = _pt_rapidity_azimuth(p_i)
        pt_j, y_j, phi_j = _pt_rapidity_azimuth(p_j)
        dphi = torch.remainder(phi_i - phi_j + math.pi, 2 * math.pi) - math.pi
        delta = safe_sqrt((y_i - y_j).square() + dphi.square())
        pt_min = torch.minimum(pt_i, pt_j)
        out["ln_delta"] = delta.clamp(min=eps).log()
        out["ln_kt"] = (pt_min * delta).clamp(min=eps).log()
        out["ln_z"] = (pt_min / (pt_i + pt_j).clamp(min=eps)).clamp(min=eps).log()
    return torch.stack([out[name] for name in names], dim=-1)


def _pt_rapidity_azimuth(p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # rapidity as 0.5 ln(1 + 2 pz / (E - pz)), with both clamps of the published code so that
    # zero (padded) and extremely boosted particles stay finite
    energy, px, py, pz = p.unbind(-1)
    pt = safe_sqrt(px.square() + py.square())
    rapidity = 0.5 * (1 + 2 * pz / (energy - pz).clamp(min=1e-20)).clamp(min=1e-20).log()
    # atan2(0, +-0) = 0 or pi has a 0/0 gradient (zero, padded particles): the same value from
    # atan2(0, +-1), the sign of px's zero kept (1 / -0.0 = -inf; no copysign: ONNX lacks it)
    moving = pt > 0
    unit = torch.ones_like(px)
    return pt, rapidity, torch.atan2(py, torch.where(moving, px, torch.where(px.reciprocal() < 0, -unit, unit)))
