"""The mass convention of jet constituents: massless energy-flow objects or particle-level hadrons.

The top-tagging landscape (arXiv 1902.09914) stores the Delphes energy-flow objects of each jet,
and they are massless (E = |p|). ``massless`` gives our particles (or the tracks and towers of
``--detector``) the same convention by keeping each 3-momentum and setting E = |p|, before the
jets are clustered, since the landscape's jets are clustered from those massless objects.
``particle`` keeps the hadron masses of the generator.
"""

from __future__ import annotations

import argparse

import awkward as ak
import numpy as np

MASSLESS = "massless"
PARTICLE = "particle"
CONSTITUENT_MASSES = (MASSLESS, PARTICLE)


def add_constituent_mass_argument(parser: argparse.ArgumentParser, default: str) -> None:
    """Add ``--constituent-mass {massless,particle}`` with ``default``."""
    parser.add_argument(
        "--constituent-mass",
        choices=CONSTITUENT_MASSES,
        default=default,
        help=f"'{MASSLESS}': E = |p| for every object clustered into jets (the landscape's energy-flow "
        f"objects); '{PARTICLE}': keep the hadron masses (default: {default})",
    )


def apply_constituent_mass(objects: ak.Array, convention: str) -> ak.Array:
    """Give the objects clustered into jets the mass convention ``convention``.

    Parameters
    ----------
    objects : ak.Array
        ``Momentum4D`` records with ``px, py, pz, E`` in GeV and ``id``, shape (events, var).
    convention : str
        ``"massless"``: E = |p| with the 3-momentum kept; ``"particle"``: unchanged.

    Returns
    -------
    ak.Array
        ``Momentum4D`` records with the same fields and shape.
    """
    if convention not in CONSTITUENT_MASSES:
        raise ValueError(f"constituent mass convention {convention!r} is not one of {CONSTITUENT_MASSES}")
    if convention == PARTICLE:
        return objects
    magnitude = np.sqrt(objects.px**2 + objects.py**2 + objects.pz**2)
    fields = {name: objects[name] for name in ak.fields(objects)}
    return ak.zip({**fields, "E": magnitude}, with_name="Momentum4D")
