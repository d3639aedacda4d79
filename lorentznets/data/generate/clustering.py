"""Jet clustering with FastJet's awkward interface, without Python loops over particles."""

from __future__ import annotations

import awkward as ak
import numpy as np
import vector

vector.register_awkward()


def silence_fastjet_banner() -> None:
    """Stop FastJet from printing its 13-line banner (it would, once in every worker process).

    FastJet prints the banner on the first clustering of a process, to the stream set with
    ``ClusterSequence::set_fastjet_banner_stream``; with no stream it prints nothing, and
    ``print_banner`` then only marks the banner as shown. The awkward interface shares this
    state with the SWIG bindings that expose these two functions.
    """
    from fastjet import _swig

    _swig.ClusterSequence.set_fastjet_banner_stream(None)
    _swig.ClusterSequence.print_banner()


def cluster_antikt(particles: ak.Array, radius: float, min_pt: float) -> tuple[ak.Array, ak.Array]:
    """Cluster anti-kT jets and sort them by decreasing pT.

    Parameters
    ----------
    particles : ak.Array
        ``Momentum4D`` records with ``px, py, pz, E`` in GeV, shape (events, var).
    radius : float
        Jet radius R.
    min_pt : float
        Minimum jet pT in GeV.

    Returns
    -------
    jets : ak.Array
        ``Momentum4D`` jets, shape (events, var jets), by decreasing pT.
    constituents : ak.Array
        Indices into ``particles`` of each jet's constituents, shape (events, var jets, var),
        each list by decreasing constituent pT.
    """
    import fastjet

    silence_fastjet_banner()
    inputs = ak.zip(
        {"px": particles.px, "py": particles.py, "pz": particles.pz, "E": particles.E},
        with_name="Momentum4D",
    )
    definition = fastjet.JetDefinition(fastjet.antikt_algorithm, radius)
    sequence = fastjet.ClusterSequence(inputs, definition)
    jets = sequence.inclusive_jets(min_pt=min_pt)
    index = sequence.constituent_index(min_pt=min_pt)
    order = ak.argsort(jets.pt, axis=1, ascending=False)
    jets, index = jets[order], index[order]
    index = ak.values_astype(index, np.int64)
    constituent_pt = gather_constituents(particles.pt, index)
    index = index[ak.argsort(constituent_pt, axis=2, ascending=False)]
    return jets, index


def gather_constituents(values: ak.Array, index: ak.Array) -> ak.Array:
    """Pick per-particle ``values`` (events, var) at jet constituent ``index`` (events, jets, var).

    Returns
    -------
    ak.Array
        Shape (events, jets, var), the values of each jet's constituents.
    """
    flat = ak.flatten(index, axis=2)
    counts = ak.flatten(ak.num(index, axis=2), axis=None)
    return ak.unflatten(values[flat], counts, axis=1)
