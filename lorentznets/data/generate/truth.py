"""Truth-level top quarks and their decay quarks in ttbar events, vectorised over events."""

from __future__ import annotations

import awkward as ak
import numpy as np

from lorentznets.data.generate.kinematics import four_momenta

TOP_ID = 6
W_ID = 24
DECAY_QUARK_STATUS = -23


def top_decay_partons(prt: ak.Array) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Find t, tbar and their decay quarks (t -> b W+, W+ -> q q').

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
        PDG id (the quark), ``q2`` the antiquark. Zeros where not found.
    found : np.ndarray
        Shape (events,), bool: all eight partons were found exactly once.
    """
    decay = prt[(prt.status == DECAY_QUARK_STATUS) & (np.abs(prt.id) <= 5)]
    mother = prt.mother1[(prt.status == DECAY_QUARK_STATUS) & (np.abs(prt.id) <= 5)]
    mother_id = prt.id[mother]
    selections = {}
    for side, sign in (("t1", 1), ("t2", -1)):
        selections[f"{side}_b"] = (mother_id == sign * TOP_ID) & (decay.id == sign * 5)
        selections[f"{side}_q1"] = (mother_id == sign * W_ID) & (decay.id > 0)
        selections[f"{side}_q2"] = (mother_id == sign * W_ID) & (decay.id < 0)
    found = np.ones(len(prt), dtype=bool)
    partons = {}
    for key, selection in selections.items():
        found &= ak.to_numpy(ak.sum(selection, axis=1)) == 1
        partons[key] = four_momenta(ak.firsts(decay.p[selection]))
        if key.endswith("_b"):
            top = ak.firsts(prt.p[mother[selection]])
            partons[key.replace("_b", "_t")] = four_momenta(top)
    for key in partons:
        partons[key][~found] = 0.0
    return partons, found
