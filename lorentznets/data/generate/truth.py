"""Truth-level top quarks and their decay products in ttbar events, vectorised over events."""

from __future__ import annotations

import awkward as ak
import numpy as np

from lorentznets.data.generate.kinematics import four_momenta

TOP_ID = 6
W_ID = 24
HIGGS_ID = 25
DECAY_QUARK_STATUS = -23


LEPTON_IDS = (11, 13)
NEUTRINO_IDS = (12, 14)


def top_decay_partons(prt: ak.Array, higgs: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Find t, tbar and their decay quarks (t -> b W+, W+ -> q q') in all-hadronic events.

    The decay quarks are the status -23 quarks whose mother is the last top copy (the b) or the
    W (the two W daughters); the top momentum is that of the b's mother.

    Parameters
    ----------
    prt : ak.Array
        Pythia event records, shape (events, var).

    Returns
    -------
    partons : dict of str to np.ndarray
        Keys ``t1_t, t1_b, t1_q1, t1_q2`` for the top and ``t2_t, t2_b, t2_q1, t2_q2`` for the
        antitop, each (events, 4) as (E, px, py, pz) in GeV. ``q1`` is the W daughter with positive
        PDG id (the quark), ``q2`` the antiquark. Zeros where not found. With ``higgs`` (ttH, H -> b
        bbar) also ``h_h``, ``h_b1`` (the b) and ``h_b2`` (the bbar).
    found : np.ndarray
        Shape (events,), bool: all partons were found exactly once.
    """
    return _decay_partons(prt, {"t1": "hadronic", "t2": "hadronic"}, higgs)


def semileptonic_top_partons(prt: ak.Array, higgs: bool = False) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Find the hadronically decaying top (t -> b W+, W+ -> q q') and the leptonically decaying
    antitop (tbar -> bbar W-, W- -> l- nubar, l = e or mu).

    Parameters
    ----------
    prt : ak.Array
        Pythia event records, shape (events, var).

    Returns
    -------
    partons : dict of str to np.ndarray
        ``t1_t, t1_b, t1_q1, t1_q2`` as in :func:`top_decay_partons` and ``t2_t, t2_b, t2_l,
        t2_nu`` (the antitop, its b, the charged lepton and the neutrino of its W), each (events,
        4) as (E, px, py, pz) in GeV, from the hard process (before QED radiation). Zeros where
        not found. With ``higgs``, the Higgs and its b quarks as in :func:`top_decay_partons`.
    found : np.ndarray
        Shape (events,), bool: all were found exactly once.
    """
    return _decay_partons(prt, {"t1": "hadronic", "t2": "leptonic"}, higgs)


def _decay_partons(prt: ak.Array, modes: dict[str, str], higgs: bool) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Decay products of the top (``t1``) and antitop (``t2``), each ``hadronic`` or ``leptonic``,
    and with ``higgs`` of the Higgs boson (``h``, to b bbar)."""
    absid = np.abs(prt.id)
    # Hard-process products have status 23, negated once the shower has taken them over; a lepton
    # without QED radiation and the neutrino keep +23.
    wanted = (np.abs(prt.status) == -DECAY_QUARK_STATUS) & ((absid <= 5) | ((absid >= 11) & (absid <= 14)))
    decay = prt[wanted]
    mother = prt.mother1[wanted]
    mother_id = prt.id[mother]
    decay_abs = np.abs(decay.id)
    selections = {}
    for side, sign in (("t1", 1), ("t2", -1)):
        from_w = mother_id == sign * W_ID
        selections[f"{side}_b"] = (mother_id == sign * TOP_ID) & (decay.id == sign * 5)
        if modes[side] == "hadronic":
            selections[f"{side}_q1"] = from_w & (decay_abs <= 5) & (decay.id > 0)
            selections[f"{side}_q2"] = from_w & (decay_abs <= 5) & (decay.id < 0)
        else:
            selections[f"{side}_l"] = from_w & ((decay_abs == LEPTON_IDS[0]) | (decay_abs == LEPTON_IDS[1]))
            selections[f"{side}_nu"] = from_w & ((decay_abs == NEUTRINO_IDS[0]) | (decay_abs == NEUTRINO_IDS[1]))
    if higgs:
        selections["h_b1"] = (mother_id == HIGGS_ID) & (decay.id == 5)
        selections["h_b2"] = (mother_id == HIGGS_ID) & (decay.id == -5)
    found = np.ones(len(prt), dtype=bool)
    partons = {}
    for key, selection in selections.items():
        found &= ak.to_numpy(ak.sum(selection, axis=1)) == 1
        partons[key] = four_momenta(ak.firsts(decay.p[selection]))
        if key in ("t1_b", "t2_b", "h_b1"):
            parent = ak.firsts(prt.p[mother[selection]])
            partons[key.split("_")[0] + ("_h" if key == "h_b1" else "_t")] = four_momenta(parent)
    for key in partons:
        partons[key][~found] = 0.0
    return partons, found
