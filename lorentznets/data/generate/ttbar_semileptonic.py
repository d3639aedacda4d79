"""Semi-leptonic ttbar events for jet assignment, in SPANet's layout with jets, leptons and MET.

The top decays hadronically (t -> b W+, W+ -> q q'), the antitop leptonically (tbar -> bbar W-,
W- -> l- nubar with l = e or mu), so the event has particles with 3 and 1 jet targets. Charged
leptons: final-state electrons and muons with pT > 25 GeV, |eta| < 2.5 and isolated (scalar pT
sum of the other visible particles within dR < 0.3 below 0.15 times the lepton pT); the two
hardest are stored and they are taken out of the jet clustering. MET: the negative vector sum of
the transverse momenta of all visible final-state particles (no detector acceptance, so it equals
the summed neutrino pT). Jets, matching and b-tags as in :mod:`lorentznets.data.generate.ttbar`.
"""

from __future__ import annotations

from typing import Any

import awkward as ak
import numpy as np

from lorentznets.data.generate.clustering import cluster_antikt
from lorentznets.data.generate.hadrons import any_within, heavy_hadrons
from lorentznets.data.generate.kinematics import four_momenta, pt_eta_phi_m
from lorentznets.data.generate.matching import padded_matched_jets
from lorentznets.data.generate.pythia_session import visible_final_state
from lorentznets.data.generate.truth import semileptonic_top_partons

PROCESS = (
    "Top:gg2ttbar = on",
    "Top:qqbar2ttbar = on",
    "24:onMode = off",
    "24:onPosIfAny = 1 2 3 4 5",
    "24:onNegIfAny = 11 13",
)
JET_PARTONS = ("t1_b", "t1_q1", "t1_q2", "t2_b")
LEPTON_PT_MIN = 25.0
LEPTON_ETA_MAX = 2.5
ISOLATION_RADIUS = 0.3
ISOLATION_MAX = 0.15
MAX_LEPTONS = 2


def isolated_leptons(particles: ak.Array) -> ak.Array:
    """(events, var) bool: electrons and muons passing the lepton selection (module docstring).

    Parameters
    ----------
    particles : ak.Array
        Visible final-state ``Momentum4D`` records with ``id``, shape (events, var).
    """
    absid = np.abs(particles.id)
    candidate = ((absid == 11) | (absid == 13)) & (particles.pt > LEPTON_PT_MIN)
    candidate = candidate & (np.abs(particles.eta) < LEPTON_ETA_MAX)
    index = ak.local_index(particles, axis=1)
    pairs = ak.cartesian({"lepton": particles[candidate], "other": particles}, axis=1, nested=True)
    same = ak.cartesian({"lepton": index[candidate], "other": index}, axis=1, nested=True)
    near = (pairs.lepton.deltaR(pairs.other) < ISOLATION_RADIUS) & (same.lepton != same.other)
    cone_pt = ak.sum(ak.where(near, pairs.other.pt, 0.0), axis=2)
    chosen = index[candidate][cone_pt < ISOLATION_MAX * particles.pt[candidate]]
    # One flag per particle: is it one of the (few) chosen leptons?
    same = ak.cartesian({"particle": index, "chosen": chosen}, axis=1, nested=True)
    return ak.any(same.particle == same.chosen, axis=2)


def select_semileptonic(events: ak.Array, settings: dict[str, Any], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Events with at least ``min_jets`` jets and one isolated lepton, as SPANet rows plus truth.

    Parameters
    ----------
    events : ak.Array
        Output of ``nextBatch``, shape (events,).
    settings : dict
        Output of :func:`lorentznets.data.generate.ttbar.settings_from_args`.
    rng : np.random.Generator
        Draws the b-tags.

    Returns
    -------
    dict of str to np.ndarray
        ``INPUTS/Jets/{MASK, pt, eta, phi, mass, btag}`` (events, max_jets),
        ``INPUTS/Leptons/{MASK, pt, eta, phi, mass, charge, muon}`` (events, 2),
        ``INPUTS/Met/{met, sin_phi, cos_phi}`` (events,), ``TARGETS/t1/{q1, q2, b}`` and
        ``TARGETS/t2/b`` (events,) int64, ``REGRESSIONS/EVENT/neutrino_{px, py, pz}`` (events,)
        GeV, ``TRUTH/t1/{t, b, q1, q2}`` and ``TRUTH/t2/{t, b, l, nu}`` (events, 4) (E, px, py, pz);
        with ``settings["higgs"]`` also ``TARGETS/h/{b1, b2}`` and ``TRUTH/h/{h, b1, b2}``.
    """
    particles = visible_final_state(events.prt)
    is_lepton = isolated_leptons(particles)
    leptons = particles[is_lepton]
    leptons = leptons[ak.argsort(leptons.pt, axis=1, ascending=False)]
    jets, _ = cluster_antikt(particles[~is_lepton], settings["jet_radius"], settings["jet_pt_min"])
    jets = jets[np.abs(jets.eta) < settings["eta_max"]]
    n_jets = ak.to_numpy(ak.num(jets, axis=1))
    n_leptons = ak.to_numpy(ak.num(leptons, axis=1))
    partons, found = semileptonic_top_partons(events.prt, settings["higgs"])
    names = JET_PARTONS + (("h_b1", "h_b2") if settings["higgs"] else ())
    keep = (n_jets >= settings["min_jets"]) & (n_leptons >= 1) & found
    p, mask, x, matched = padded_matched_jets(
        jets[keep], n_jets[keep], [partons[name][keep] for name in names], settings["max_jets"], settings["jet_radius"]
    )

    prt = events.prt[keep]
    cone, hadron_pt = settings["jet_radius"], settings["heavy_hadron_pt_min"]
    has_b = any_within(x[..., 1], x[..., 2], heavy_hadrons(prt, 5, hadron_pt), cone)
    has_c = any_within(x[..., 1], x[..., 2], heavy_hadrons(prt, 4, hadron_pt), cone)
    efficiency = np.where(has_b, settings["btag_b"], np.where(has_c, settings["btag_c"], settings["btag_light"]))
    btag = (rng.random(mask.shape) < efficiency) & mask

    rows = {"INPUTS/Jets/MASK": mask, "INPUTS/Jets/btag": btag.astype(np.float32)}
    for i, key in enumerate(("pt", "eta", "phi", "mass")):
        rows[f"INPUTS/Jets/{key}"] = x[..., i].astype(np.float32)
    rows.update(_lepton_rows(leptons[keep]))
    visible = particles[keep]
    met_x, met_y = -ak.to_numpy(ak.sum(visible.px, axis=1)), -ak.to_numpy(ak.sum(visible.py, axis=1))
    met = np.hypot(met_x, met_y)
    safe = np.where(met > 0, met, 1.0)
    rows["INPUTS/Met/met"] = met.astype(np.float32)
    rows["INPUTS/Met/sin_phi"] = np.where(met > 0, met_y / safe, 0.0).astype(np.float32)
    rows["INPUTS/Met/cos_phi"] = np.where(met > 0, met_x / safe, 1.0).astype(np.float32)
    for i, name in enumerate(names):
        rows[f"TARGETS/{name.replace('_', '/')}"] = matched[:, i]
    neutrino = partons["t2_nu"][keep]
    for i, axis in enumerate(("px", "py", "pz")):
        rows[f"REGRESSIONS/EVENT/neutrino_{axis}"] = neutrino[:, 1 + i].astype(np.float32)
    for name, momentum in partons.items():
        rows[f"TRUTH/{name.replace('_', '/')}"] = momentum[keep].astype(np.float32)
    return rows


def _lepton_rows(leptons: ak.Array) -> dict[str, np.ndarray]:
    """``INPUTS/Leptons/...`` rows of the two hardest selected leptons, zero-padded."""
    count = np.minimum(ak.to_numpy(ak.num(leptons, axis=1)), MAX_LEPTONS)
    mask = np.arange(MAX_LEPTONS)[None, :] < count[:, None]
    padded = ak.pad_none(leptons, MAX_LEPTONS, axis=1, clip=True)
    x = pt_eta_phi_m(four_momenta(padded))
    x[~mask] = 0.0
    ids = ak.to_numpy(ak.fill_none(padded.id, 0))
    rows = {"INPUTS/Leptons/MASK": mask}
    for i, key in enumerate(("pt", "eta", "phi", "mass")):
        rows[f"INPUTS/Leptons/{key}"] = x[..., i].astype(np.float32)
    # PDG: e- is +11, mu- is +13.
    rows["INPUTS/Leptons/charge"] = np.where(mask, -np.sign(ids), 0).astype(np.float32)
    rows["INPUTS/Leptons/muon"] = (mask & (np.abs(ids) == 13)).astype(np.float32)
    return rows
