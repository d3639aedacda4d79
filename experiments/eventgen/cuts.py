"""Detector-level acceptance cuts of the ttbar data and counting of violations in samples."""

import torch

from lorentznets.lorentz import pseudorapidity, transverse_momentum

from .observables import delta_r

__all__ = ["cut_violations", "jets_below_pt_cut"]


def jets_below_pt_cut(p: torch.Tensor, pt_min: float) -> torch.Tensor:
    """Which jets break the pt cut, allowing a relative rounding tolerance of 1e-6.

    Parameters
    ----------
    p : torch.Tensor with shape (B, n_jets, 4)
        Finite jet 4-momenta in GeV.
    pt_min : float
        Minimum jet pt in GeV.

    Returns
    -------
    torch.Tensor of bool with shape (B, n_jets)
    """
    return transverse_momentum(p) < pt_min * (1 - 1e-6)


def cut_violations(
    p: torch.Tensor, pt_min: float, eta_max: float, delta_r_min: float | None = None
) -> dict[str, float]:
    """Fractions of events that break the acceptance the data obeys.

    Parameters
    ----------
    p : torch.Tensor with shape (B, n_jets, 4)
        Jet 4-momenta in GeV.
    pt_min : float
        Minimum jet pt in GeV (a relative rounding tolerance of 1e-6 is allowed).
    eta_max : float
        Maximum |eta|.
    delta_r_min : float, optional
        Minimum angular distance between any two jets (the jet radius), if the data obeys one.

    Returns
    -------
    dict
        ``frac_nonfinite``, ``frac_pt``, ``frac_eta``, (``frac_delta_r``) and ``frac_any``: the
        fraction of events with at least one jet violating each cut.
    """
    finite = torch.isfinite(p).all(dim=-1).all(dim=-1)
    safe = torch.where(finite[:, None, None], p, torch.ones_like(p))
    pt_bad = jets_below_pt_cut(safe, pt_min).any(dim=-1) & finite
    eta_bad = (pseudorapidity(safe).abs() > eta_max).any(dim=-1) & finite
    bad = {"frac_nonfinite": ~finite, "frac_pt": pt_bad, "frac_eta": eta_bad}
    if delta_r_min is not None:
        n_jets = p.shape[1]
        close = torch.zeros_like(finite)
        for i in range(n_jets):
            for j in range(i + 1, n_jets):
                close |= delta_r(safe, i, j) < delta_r_min
        bad["frac_delta_r"] = close & finite
    any_bad = torch.stack(list(bad.values())).any(dim=0)
    out = {name: mask.double().mean().item() for name, mask in bad.items()}
    out["frac_any"] = any_bad.double().mean().item()
    return out
