"""ttbar events for jet assignment (SPANet layout) and event generation (npy).

``--decay allhadronic`` (the default) is described here; ``--decay semileptonic`` writes
jets, leptons and MET with one leptonic top (:mod:`lorentznets.data.generate.ttbar_semileptonic`).
``--higgs`` generates ttH with H -> b bbar instead (targets ``h/{b1, b2}``, two more jets
required). Event-generation files are written for all-hadronic ttbar only.

13 TeV pp at particle level, both W bosons decaying to quarks. Jets: anti-kT R = 0.4 on the
visible final state, pT > 25 GeV, |eta| < 2.5, at least 6 per event, the 16 hardest stored. The
six decay quarks are matched one-to-one to jets within dR < 0.4 (-1 = unmatched). A b-tag
stand-in tags a jet with probability 0.70 if a b hadron (pT > 5 GeV) lies within dR < 0.4, else
0.10 if a c hadron does, else 0.01. After the HDF5 file, the SPANet event YAML is written beside
it and the fully matched events are exported as ``ttbar_<n>j.npy``; see ``docs/data.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import awkward as ak
import numpy as np

from lorentznets.data.cli_types import non_negative_float, positive_float, positive_int, probability
from lorentznets.data.generate.chunk_runner import generate_from_args
from lorentznets.data.generate.clustering import cluster_antikt
from lorentznets.data.generate.eventgen_export import export_event_generation
from lorentznets.data.generate.hadrons import any_within, heavy_hadrons
from lorentznets.data.generate.matching import padded_matched_jets
from lorentznets.data.generate.options import SEEDING, add_common_arguments, check_chunk_count, pythia_seed
from lorentznets.data.generate.pythia_session import make_pythia, next_batch, visible_final_state
from lorentznets.data.generate.sampling import collect_rows
from lorentznets.data.generate.spanet_event_file import write_semileptonic_event_file, write_ttbar_event_file
from lorentznets.data.generate.truth import top_decay_partons
from lorentznets.data.generate.ttbar_semileptonic import PROCESS as SEMILEPTONIC_PROCESS
from lorentznets.data.generate.ttbar_semileptonic import select_semileptonic

PROCESS = (
    "Top:gg2ttbar = on",
    "Top:qqbar2ttbar = on",
    "24:onMode = off",
    "24:onIfAny = 1 2 3 4 5",
)
PARTONS = ("t1_b", "t1_q1", "t1_q2", "t2_b", "t2_q1", "t2_q2")
# ttH instead of ttbar production, with H -> b bbar (--higgs).
TTH_PRODUCTION = ("HiggsSM:gg2Httbar = on", "HiggsSM:qqbar2Httbar = on", "25:onMode = off", "25:onIfMatch = 5 -5")
HIGGS_PARTONS = ("h_b1", "h_b2")


def pythia_process(decay: str, higgs: bool) -> tuple[str, ...]:
    """Pythia lines of the process: ttbar or ttH (H -> b bbar), the W decays of ``decay``."""
    lines = PROCESS if decay == "allhadronic" else SEMILEPTONIC_PROCESS
    if not higgs:
        return lines
    return TTH_PRODUCTION + tuple(line for line in lines if not line.startswith("Top:"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the ttbar options on ``parser``."""
    add_common_arguments(parser, default_n=100_000, default_out="data/cache/ttbar_allhad.h5", default_chunk=2000)
    parser.add_argument("--ecm", type=positive_float, default=13000.0, help="collision energy in GeV")
    parser.add_argument("--jet-pt-min", type=non_negative_float, default=25.0, help="jet pT cut, GeV")
    parser.add_argument("--eta-max", type=positive_float, default=2.5, help="jet |eta| cut")
    parser.add_argument("--radius", type=positive_float, default=0.4, help="anti-kT radius and match dR")
    parser.add_argument(
        "--decay",
        choices=("allhadronic", "semileptonic"),
        default="allhadronic",
        help="both W to quarks, or W+ to quarks and W- to e/mu + neutrino",
    )
    parser.add_argument(
        "--higgs",
        action="store_true",
        help="ttH production with H -> b bbar (targets h/{b1, b2}; two more jets required)",
    )
    parser.add_argument(
        "--min-jets", type=positive_int, default=None, help="minimum jets per event (6; semileptonic: 4)"
    )
    parser.add_argument("--max-jets", type=positive_int, default=16, help="jets stored per event")
    parser.add_argument("--btag-b", type=probability, default=0.70, help="b-jet tag efficiency")
    parser.add_argument("--btag-c", type=probability, default=0.10, help="c-jet mistag rate")
    parser.add_argument("--btag-light", type=probability, default=0.01, help="light-jet mistag rate")
    parser.add_argument("--batch", type=positive_int, default=500, help="Pythia events per nextBatch call")
    parser.add_argument(
        "--eventgen-dir",
        type=Path,
        default=None,
        help="directory for ttbar_<n>j.npy (default: <out without .h5>_eventgen)",
    )


# Settings that define what a stored event is, as opposed to how it was sampled (seed, chunks): a
# cached file must agree on these to be reused (lorentznets.data.generate.conventions).
CONVENTION_KEYS = (
    "decay",
    "higgs",
    "mpi",
    "jet_radius",
    "jet_pt_min",
    "eta_max",
    "min_jets",
    "max_jets",
    "btag_b",
    "btag_c",
    "btag_light",
    "heavy_hadron_pt_min",
)


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON-serialisable generator settings stored in the output file."""
    fewest = (6 if args.decay == "allhadronic" else 4) + (2 if args.higgs else 0)
    min_jets = fewest if args.min_jets is None else args.min_jets
    if min_jets < fewest or args.max_jets < min_jets:
        raise ValueError(f"need {fewest} <= --min-jets <= --max-jets, got {min_jets} and {args.max_jets}")
    check_chunk_count(args)
    return {
        "generator": "lorentznets.data.generate.ttbar",
        "decay": args.decay,
        "higgs": args.higgs,
        "seed": args.seed,
        "seeding": SEEDING,
        "chunk_size": args.chunk_size,
        "mpi": args.mpi,
        "pythia": [f"Beams:eCM = {args.ecm}", *pythia_process(args.decay, args.higgs)],
        "jet_radius": args.radius,
        "jet_pt_min": args.jet_pt_min,
        "eta_max": args.eta_max,
        "min_jets": min_jets,
        "max_jets": args.max_jets,
        "btag_b": args.btag_b,
        "btag_c": args.btag_c,
        "btag_light": args.btag_light,
        "heavy_hadron_pt_min": 5.0,
        "batch": args.batch,
    }


def select_events(events: ak.Array, settings: dict[str, Any], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Events with enough jets, as SPANet rows plus truth partons.

    Parameters
    ----------
    events : ak.Array
        Output of ``nextBatch``, shape (events,).
    settings : dict
        Output of :func:`settings_from_args`.
    rng : np.random.Generator
        Draws the b-tags.

    Returns
    -------
    dict of str to np.ndarray
        Dataset path to rows: ``INPUTS/Source/{MASK, pt, eta, phi, mass, btag}`` (events, jets),
        ``TARGETS/t{1,2}/{b, q1, q2}`` (events,) int64, ``TRUTH/t{1,2}/{t, b, q1, q2}``
        (events, 4) float32 (E, px, py, pz) in GeV; with ``settings["higgs"]`` also
        ``TARGETS/h/{b1, b2}`` and ``TRUTH/h/{h, b1, b2}``.
    """
    particles = visible_final_state(events.prt)
    jets, _ = cluster_antikt(particles, settings["jet_radius"], settings["jet_pt_min"])
    jets = jets[np.abs(jets.eta) < settings["eta_max"]]
    n_jets = ak.to_numpy(ak.num(jets, axis=1))
    partons, found = top_decay_partons(events.prt, settings["higgs"])
    names = PARTONS + (HIGGS_PARTONS if settings["higgs"] else ())
    keep = (n_jets >= settings["min_jets"]) & found
    p, mask, x, matched = padded_matched_jets(
        jets[keep], n_jets[keep], [partons[name][keep] for name in names], settings["max_jets"], settings["jet_radius"]
    )

    prt = events.prt[keep]
    cone = settings["jet_radius"]
    hadron_pt = settings["heavy_hadron_pt_min"]
    has_b = any_within(x[..., 1], x[..., 2], heavy_hadrons(prt, 5, hadron_pt), cone)
    has_c = any_within(x[..., 1], x[..., 2], heavy_hadrons(prt, 4, hadron_pt), cone)
    efficiency = np.where(has_b, settings["btag_b"], np.where(has_c, settings["btag_c"], settings["btag_light"]))
    btag = (rng.random(mask.shape) < efficiency) & mask

    rows = {"INPUTS/Source/MASK": mask, "INPUTS/Source/btag": btag.astype(np.float32)}
    for i, key in enumerate(("pt", "eta", "phi", "mass")):
        rows[f"INPUTS/Source/{key}"] = x[..., i].astype(np.float32)
    for i, name in enumerate(names):
        rows[f"TARGETS/{name.replace('_', '/')}"] = matched[:, i]
    for name, momentum in partons.items():
        rows[f"TRUTH/{name.replace('_', '/')}"] = momentum[keep].astype(np.float32)
    return rows


def generate_chunk(settings: dict[str, Any], chunk: int, rows: int) -> dict[str, np.ndarray]:
    """Generate ``rows`` selected events with ``Random:seed = pythia_seed(seed, chunk)``."""
    pythia = make_pythia(settings["pythia"], pythia_seed(settings["seed"], chunk), mpi=settings["mpi"])
    rng = np.random.default_rng([settings["seed"], chunk])
    select = select_events if settings["decay"] == "allhadronic" else select_semileptonic
    return collect_rows(lambda: select(next_batch(pythia, settings["batch"]), settings, rng), rows)


def run(args: argparse.Namespace) -> None:
    """Generate the SPANet file, its event YAML and (all-hadronic) the event-generation npy files."""
    settings = settings_from_args(args)
    out = generate_from_args(generate_chunk, settings, args, unit="events")
    if settings["decay"] == "semileptonic":
        write_semileptonic_event_file(out.with_suffix(".yaml"), settings["higgs"])
        return
    write_ttbar_event_file(out.with_suffix(".yaml"), settings["higgs"])
    if settings["higgs"]:
        return
    eventgen_dir = args.eventgen_dir or out.with_name(f"{out.stem}_eventgen")
    export_event_generation(out, eventgen_dir)
