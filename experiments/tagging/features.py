"""Non-equivariant per-particle features for the baseline taggers (as in ParticleNet/ParT)."""

from __future__ import annotations

import math

import torch

from lorentznets.lorentz import azimuth, pseudorapidity, safe_sqrt, transverse_momentum

NUM_KINEMATIC_FEATURES = 7
_EPS = 1e-6


def jet_constituent_features(
    momenta: torch.Tensor, mask: torch.Tensor, jets: torch.Tensor | None = None
) -> torch.Tensor:
    """Seven features per constituent relative to the jet axis, standardised.

    ``log pT``, ``log E``, ``log(pT / pT_jet)``, ``log(E / E_jet)``, ``delta eta``,
    ``delta phi`` (wrapped to [-pi, pi)) and ``delta R``, with the jet the sum of the real
    constituents unless ``jets`` is given. Logarithms use GeV. The fixed shifts and scales are those of the Particle
    Transformer's preprocessing for jets of a few hundred GeV (arXiv 2202.03772), which bring
    each feature to order one. Padded entries are zero.

    Where these differ from weaver-core's published preprocessing (``JetClass_*.yaml``,
    ``top_kin.yaml``; it matters for weights trained there, see :mod:`lorentznets.compat.weaver`):
    weaver orders them ``log pT, log E, log pT_rel, log E_rel, delta R, delta eta, delta phi``,
    multiplies ``delta eta`` by the sign of the jet's eta, clips the five standardised ones to
    [-5, 5], and takes the jet from all constituents, where here it is the sum of the kept ones
    (``data.max_particles``; the same when a jet has no more). Trained models keep these
    definitions: changing them would change the function of every saved model.

    Parameters
    ----------
    momenta : torch.Tensor with shape (B, N, 4)
        (E, px, py, pz) in GeV.
    mask : torch.Tensor with shape (B, N), bool
        True for real constituents.
    jets : torch.Tensor with shape (B, N, 4), optional
        The jet each constituent is compared with, in GeV (LLoCa: the jet seen from the
        constituent's local frame, with ``momenta`` also local).

    Returns
    -------
    torch.Tensor with shape (B, N, 7)
    """
    real = mask[..., None].to(momenta.dtype)
    momenta = momenta * real
    jet = momenta.sum(dim=1, keepdim=True) if jets is None else jets
    pt, eta, phi = transverse_momentum(momenta), pseudorapidity(momenta), azimuth(momenta)
    jet_pt, jet_eta, jet_phi = transverse_momentum(jet), pseudorapidity(jet), azimuth(jet)
    pt, jet_pt = pt.clamp(min=_EPS), jet_pt.clamp(min=_EPS)
    energy = momenta[..., 0].clamp(min=_EPS)
    jet_energy = jet[..., 0].clamp(min=_EPS)
    delta_eta = eta - jet_eta
    delta_phi = torch.remainder(phi - jet_phi + math.pi, 2 * math.pi) - math.pi
    delta_r = safe_sqrt(delta_eta**2 + delta_phi**2)
    features = torch.stack(
        [
            (pt.log() - 1.7) * 0.7,
            (energy.log() - 2.0) * 0.7,
            ((pt / jet_pt).log() + 4.7) * 0.7,
            ((energy / jet_energy).log() + 4.7) * 0.7,
            delta_eta,
            delta_phi,
            (delta_r - 0.2) * 4.0,
        ],
        dim=-1,
    )
    return torch.nan_to_num(features) * real
