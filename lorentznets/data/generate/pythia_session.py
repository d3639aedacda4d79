"""Creating Pythia instances and drawing batches of events as awkward arrays."""

from __future__ import annotations

from collections.abc import Sequence

import awkward as ak
import numpy as np
import vector

from lorentznets.data.generate.options import MAX_PYTHIA_SEED

vector.register_awkward()

NEUTRINO_IDS = (12, 14, 16)

QUIET_SETTINGS = ("Next:numberCount = 0", "Print:quiet = on", "Random:setSeed = on")


def make_pythia(settings: Sequence[str], seed: int, mpi: bool = False, hooks=None):
    """Create and initialise a Pythia instance.

    Parameters
    ----------
    settings : sequence of str
        Pythia settings lines, e.g. ``"Beams:eCM = 14000"``.
    seed : int
        ``Random:seed`` in [1, 900000000], see :func:`~lorentznets.data.generate.options.pythia_seed`
        (0 would seed from the clock).
    mpi : bool
        Keep multi-parton interactions; they are switched off otherwise for speed.
    hooks : pythia8mc.UserHooks or None
        User hooks to install (e.g. :class:`~lorentznets.data.generate.jet_veto.JetVeto`). The
        caller must keep this object alive as long as the instance is used.

    Returns
    -------
    pythia8mc.Pythia
        An initialised instance.
    """
    import pythia8mc

    if not 1 <= seed <= MAX_PYTHIA_SEED:
        raise ValueError(f"Random:seed {seed} is outside [1, {MAX_PYTHIA_SEED}] (0 would seed from the clock)")
    pythia = pythia8mc.Pythia("", False)
    lines = [*QUIET_SETTINGS, f"Random:seed = {seed}", f"PartonLevel:MPI = {'on' if mpi else 'off'}"]
    for line in [*lines, *settings]:
        if not pythia.readString(line):
            raise ValueError(f"Pythia rejected the setting {line!r}")
    if hooks is not None:
        pythia.setUserHooksPtr(hooks)
    if not pythia.init():
        raise RuntimeError(f"Pythia failed to initialise with settings {list(settings)}")
    return pythia


def next_batch(pythia, n_events: int) -> ak.Array:
    """Generate ``n_events`` events; failed or vetoed events are skipped and replaced by new ones.

    Returns
    -------
    ak.Array
        Records with fields ``prt`` (the event record, momenta as ``Momentum4D`` in GeV) and
        ``info`` (``pT2Hat`` in GeV^2, ``weights``, ...), length ``n_events``.
    """
    return pythia.nextBatch(n_events, 10.0)


def visible_final_state(prt: ak.Array) -> ak.Array:
    """Final-state particles without neutrinos.

    Parameters
    ----------
    prt : ak.Array
        Event records from :func:`next_batch`, shape (events, var).

    Returns
    -------
    ak.Array
        ``Momentum4D`` records (``px, py, pz, E`` in GeV, ``id``), shape (events, var).
    """
    absid = np.abs(prt.id)
    keep = (prt.status > 0) & (absid != 12) & (absid != 14) & (absid != 16)
    final = prt[keep]
    return ak.zip(
        {"px": final.p.px, "py": final.p.py, "pz": final.p.pz, "E": final.p.e, "id": final.id},
        with_name="Momentum4D",
    )


def pthat(info: ak.Array) -> np.ndarray:
    """Hard-process transverse momentum pTHat in GeV, shape (events,)."""
    return np.sqrt(ak.to_numpy(info.pT2Hat))


def event_weight(info: ak.Array) -> np.ndarray:
    """Pythia's event weight (the inverse phase-space bias when biasing is on), shape (events,)."""
    return ak.to_numpy(info.weights[:, 0])
