"""Physics observables of ttbar events: per-jet kinematics, W and top masses, angular distances."""

import itertools

import torch

from lorentznets.flows import wrap_angle
from lorentznets.lorentz import invariant_mass, to_pt_eta_phi_m

from .dataset import jet_names

__all__ = ["RESONANCES", "delta_r", "event_observables", "resonance_masses"]

RESONANCES = {
    "W1": (1, 2),
    "W2": (4, 5),
    "t1": (0, 1, 2),
    "t2": (3, 4, 5),
}
"""Jet indices (file order b1, q1, q2, b2, q3, q4) whose sum reconstructs each resonance."""


def resonance_masses(p: torch.Tensor) -> dict[str, torch.Tensor]:
    """Reconstructed W and top masses.

    Parameters
    ----------
    p : torch.Tensor with shape (B, n_jets, 4)
        Jet 4-momenta in GeV, file order.

    Returns
    -------
    dict name -> torch.Tensor with shape (B,)
        Masses in GeV of ``W1``, ``W2``, ``t1``, ``t2``.
    """
    return {name: invariant_mass(p[:, list(jets)].sum(dim=1)) for name, jets in RESONANCES.items()}


def delta_r(p: torch.Tensor, i: int, j: int) -> torch.Tensor:
    """Angular distance sqrt(d eta^2 + d phi^2) between jets i and j, shape (B,)."""
    a, b = to_pt_eta_phi_m(p[:, i]), to_pt_eta_phi_m(p[:, j])
    return torch.sqrt((a[:, 1] - b[:, 1]) ** 2 + wrap_angle(a[:, 2] - b[:, 2]) ** 2)


def event_observables(p: torch.Tensor) -> dict[str, torch.Tensor]:
    """All observables compared between generated and true events.

    Parameters
    ----------
    p : torch.Tensor with shape (B, n_jets, 4)
        Jet 4-momenta in GeV, file order.

    Returns
    -------
    dict name -> torch.Tensor with shape (B,)
        ``pt_<jet>``, ``eta_<jet>``, ``phi_<jet>``, ``m_<jet>`` (GeV) per jet, ``m_W1``, ``m_W2``,
        ``m_t1``, ``m_t2`` (GeV) and ``dR_<jet>_<jet>`` for every pair of jets.
    """
    names = jet_names(p.shape[1] - 6)
    kinematics = to_pt_eta_phi_m(p)
    out: dict[str, torch.Tensor] = {}
    for index, name in enumerate(names):
        for k, quantity in enumerate(("pt", "eta", "phi", "m")):
            out[f"{quantity}_{name}"] = kinematics[:, index, k]
    out.update({f"m_{name}": mass for name, mass in resonance_masses(p).items()})
    for i, j in itertools.combinations(range(len(names)), 2):
        out[f"dR_{names[i]}_{names[j]}"] = delta_r(p, i, j)
    return out
