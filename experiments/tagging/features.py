"""Non-equivariant per-particle features for the baseline taggers (as in ParticleNet/ParT).

Two conventions (``data.features``), recorded with every saved model:

- ``lorentznets`` (the default, and that of every model saved before the setting existed):
  ``log pT``, ``log E``, ``log(pT / pT_jet)``, ``log(E / E_jet)``, ``delta eta``, ``delta phi``,
  ``delta R``, unclipped; the per-particle scalars follow the seven.
- ``weaver``: the inputs of weaver-core's published data configs of the Particle Transformer
  repository (``top_kin.yaml``, ``qg_kin*.yaml``, ``JetClass_*.yaml``): ``log pT``, ``log E``,
  ``log pT_rel``, ``log E_rel``, ``delta R`` standardised and clipped to [-5, 5], then the
  per-particle scalars, then ``delta eta`` times the sign of the jet's eta (+1 at eta 0, as the
  repository's converters write ``part_deta``) and ``delta phi``. The JetClass impact-parameter
  errors are clipped to [0, 1] on the host (:func:`clip_impact_parameter_errors`). The scalars of
  EnergyFlow quark-gluon files are weaver's six ``qg_kinpid`` flags (``part_charge``,
  ``part_isChargedHadron``, ...; :mod:`lorentznets.data.convert.weaver_pid`) instead of our
  charge and one-hot of abs(pid): the convention picks the reader's ``pid_features``
  (:func:`reading_options`).

``lorentznets`` takes the jet as the sum of the constituents it is given, the
``data.max_particles`` hardest of each jet. ``weaver`` takes it, as weaver-core, from all
constituents of the file: the readers carry each jet's full momentum
(:attr:`lorentznets.data.readers.JetData.jets`, JetClass: the file's jet branches) and the
wrappers pass it as ``jets`` (see ``docs/data.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch

from lorentznets.data.readers.reading_options import ReadingOptions
from lorentznets.lorentz import azimuth, pseudorapidity, safe_sqrt, transverse_momentum

NUM_KINEMATIC_FEATURES = 7
FEATURE_CONVENTIONS = ("lorentznets", "weaver")
"""The values of ``data.features``; the first is the default."""
_EPS = 1e-6
# weaver's default clip of a standardised input (its yaml's clip_min, clip_max)
_WEAVER_CLIP = 5.0
# (shift, scale) of log pT, log E, log pT_rel, log E_rel, delta R: the Particle Transformer's
# preprocessing for jets of a few hundred GeV (arXiv 2202.03772), which brings each to order one
_STANDARDISATION = ((1.7, 0.7), (2.0, 0.7), (-4.7, 0.7), (-4.7, 0.7), (0.2, 4.0))


def reading_options(data: Mapping[str, Any]) -> ReadingOptions:
    """The reading options of a tagging ``data`` block, checked: JetClass's impact parameters, the
    EnergyFlow constituents' masses, and the EnergyFlow particle-ID scalars of the feature
    convention (``pid_features`` is ``data.features``: the readers' conventions bear its names).

    Raises
    ------
    ValueError
        A value :class:`~lorentznets.data.readers.ReadingOptions` refuses.
    """
    return ReadingOptions(
        impact_parameters=data["impact_parameters"],
        constituent_mass=data["constituent_mass"],
        pid_features=data["features"],
    )


def jet_constituent_features(
    momenta: torch.Tensor, mask: torch.Tensor, jets: torch.Tensor | None = None, convention: str = "lorentznets"
) -> torch.Tensor:
    """Seven features per constituent relative to the jet axis, standardised.

    ``convention="lorentznets"``: ``log pT``, ``log E``, ``log(pT / pT_jet)``, ``log(E / E_jet)``,
    ``delta eta``, ``delta phi`` (wrapped to [-pi, pi)) and ``delta R``; ``"weaver"``: ``log pT``,
    ``log E``, ``log pT_rel``, ``log E_rel``, ``delta R`` clipped to [-5, 5] after standardising,
    then ``delta eta`` times the sign of the jet's eta and ``delta phi`` (see the module
    docstring). The jet is the sum of the real constituents unless ``jets`` is given (weaver's:
    the jet of all constituents in the file). Logarithms use GeV. Padded entries are zero.

    Parameters
    ----------
    momenta : torch.Tensor with shape (B, N, 4)
        (E, px, py, pz) in GeV.
    mask : torch.Tensor with shape (B, N), bool
        True for real constituents.
    jets : torch.Tensor with shape (B, N, 4) or (B, 1, 4), optional
        The jet each constituent is compared with, in GeV (LLoCa: the jet seen from the
        constituent's local frame, with ``momenta`` also local).
    convention : str
        One of ``FEATURE_CONVENTIONS``.

    Returns
    -------
    torch.Tensor with shape (B, N, 7)
    """
    if convention not in FEATURE_CONVENTIONS:
        raise ValueError(f"unknown feature convention {convention!r}; choose from {FEATURE_CONVENTIONS}")
    real = mask[..., None].to(momenta.dtype)
    momenta = momenta * real
    jet = momenta.sum(dim=1, keepdim=True) if jets is None else jets
    pt, eta, phi = transverse_momentum(momenta), pseudorapidity(momenta), azimuth(momenta)
    jet_pt, jet_eta, jet_phi = transverse_momentum(jet), pseudorapidity(jet), azimuth(jet)
    pt, jet_pt = pt.clamp(min=_EPS), jet_pt.clamp(min=_EPS)
    energy = momenta[..., 0].clamp(min=_EPS)
    jet_energy = jet[..., 0].clamp(min=_EPS)
    delta_eta = eta - jet_eta
    if convention == "weaver":  # a jet at eta < 0 is mirrored into the forward hemisphere
        delta_eta = torch.where(jet_eta < 0, -delta_eta, delta_eta)
    delta_phi = torch.remainder(phi - jet_phi + math.pi, 2 * math.pi) - math.pi
    delta_r = safe_sqrt(delta_eta**2 + delta_phi**2)
    logs = (pt.log(), energy.log(), (pt / jet_pt).log(), (energy / jet_energy).log(), delta_r)
    standardised = [(value - shift) * scale for value, (shift, scale) in zip(logs, _STANDARDISATION, strict=True)]
    if convention == "weaver":
        clipped = [value.clamp(-_WEAVER_CLIP, _WEAVER_CLIP) for value in standardised]
        features = torch.stack([*clipped, delta_eta, delta_phi], dim=-1)
    else:
        features = torch.stack([*standardised[:4], delta_eta, delta_phi, standardised[4]], dim=-1)
    return torch.nan_to_num(features) * real


def constituent_inputs(
    momenta: torch.Tensor,
    mask: torch.Tensor,
    scalars: torch.Tensor | None,
    convention: str = "lorentznets",
    jets: torch.Tensor | None = None,
) -> torch.Tensor:
    """The per-particle inputs of ParT and ParticleNet: the seven kinematic features and the scalars.

    ``lorentznets``: the seven, then the scalars; ``weaver``: the five standardised ones, the
    scalars, then ``delta eta`` and ``delta phi``, as weaver's ``pf_features``.

    Parameters
    ----------
    momenta, mask, jets, convention
        As :func:`jet_constituent_features`.
    scalars : torch.Tensor with shape (B, N, S) or None

    Returns
    -------
    torch.Tensor with shape (B, N, 7 + S)
    """
    features = jet_constituent_features(momenta, mask, jets, convention)
    if scalars is None:
        return features
    if convention == "weaver":
        return torch.cat((features[..., :5], scalars, features[..., 5:]), dim=-1)
    return torch.cat((features, scalars), dim=-1)


def eta_phi(inputs: torch.Tensor, convention: str = "lorentznets") -> torch.Tensor:
    """``(delta eta, delta phi)`` (B, N, 2) of :func:`constituent_inputs` ``inputs`` (B, N, 7 + S):
    ParticleNet's first neighbour space (weaver's ``pf_points``)."""
    return inputs[..., -2:] if convention == "weaver" else inputs[..., 4:6]


def clip_impact_parameter_errors(scalars: torch.Tensor) -> torch.Tensor:
    """JetClass scalars (N, P, 10) with ``part_d0err`` and ``part_dzerr`` (columns 7 and 9 of
    the JetClass reader's order, the last four being tanh(d0), d0err, tanh(dz), dzerr) clipped to
    [0, 1], as weaver's ``JetClass_full.yaml`` does (``[part_d0err, 0, 1, 0, 1]``)."""
    clipped = scalars.clone()
    clipped[..., -3] = clipped[..., -3].clamp(0.0, 1.0)
    clipped[..., -1] = clipped[..., -1].clamp(0.0, 1.0)
    return clipped
