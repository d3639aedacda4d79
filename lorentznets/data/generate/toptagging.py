"""Boosted top vs QCD jets as in the top-tagging landscape sample (arXiv 1902.09914).

14 TeV pp at particle level. Signal: ttbar with hadronic W decays; background: QCD dijets. The
leading anti-kT R = 0.8 jet of the visible final state (no neutrinos) is kept if 550 < pT < 650
GeV and |eta| < 2; signal jets must contain the top and its three decay quarks within dR < 0.8.
As in the landscape, the clustered objects are massless (E = |p|, see
:mod:`lorentznets.data.generate.constituent_mass`; ``--constituent-mass particle`` keeps the
hadron masses) and each jet stores its 200 hardest constituents by decreasing pT, zero padded.
The hard-process pTHat is sampled in [200, 800] GeV with Pythia's pTHat^2 phase-space bias, and
every jet carries the compensating ``weight``; see ``docs/data.md`` for the measured bias of the
window and the effective sample size. Events that cannot give a jet above the pT cut are dropped
early in the parton shower (:mod:`lorentznets.data.generate.jet_veto`), which keeps the same jets
and halves the time. With ``--detector`` the jets are clustered from the tracks and towers of
:mod:`lorentznets.data.generate.detector` instead of the particles.
"""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any

import awkward as ak
import numpy as np

from lorentznets.data.cli_types import check_window, non_negative_float, positive_float, positive_int
from lorentznets.data.convert.event_weights import PTHAT_KEY, WEIGHT_KEY
from lorentznets.data.convert.lgn_layout import (
    JET_PT_KEY,
    LABEL_KEY,
    MASK_KEY,
    MASS_KEY,
    NOBJ_KEY,
    PMU_KEY,
    TRUTH_KEY,
)
from lorentznets.data.generate.chunk_runner import generate_from_args
from lorentznets.data.generate.clustering import cluster_antikt, gather_constituents
from lorentznets.data.generate.constituent_mass import MASSLESS, add_constituent_mass_argument, apply_constituent_mass
from lorentznets.data.generate.detector import DetectorSettings, particle_charge, simulate_detector
from lorentznets.data.generate.jet_veto import VetoSettings, veto_from_settings
from lorentznets.data.generate.kinematics import delta_r, four_momenta, pt_eta_phi_m
from lorentznets.data.generate.options import SEEDING, add_common_arguments, add_veto_argument, check_chunk_count
from lorentznets.data.generate.pythia_session import (
    event_weight,
    make_pythia,
    next_batch,
    pthat,
    visible_final_state,
)
from lorentznets.data.generate.sampling import collect_rows, pthat_window, two_class_chunk
from lorentznets.data.generate.truth import top_decay_partons

SIGNAL_PROCESS = (
    "Top:gg2ttbar = on",
    "Top:qqbar2ttbar = on",
    "24:onMode = off",
    "24:onIfAny = 1 2 3 4 5",
)
BACKGROUND_PROCESS = ("HardQCD:all = on",)
# numpy seeds [Random:seed, DETECTOR_STREAM] give each Pythia run its own detector random stream.
DETECTOR_STREAM = 7
# Settings that define what a stored jet is (cuts, objects, conventions), as opposed to how it was
# sampled (seed, chunks, pTHat bias, veto): a cached file must agree on these to be reused.
CONVENTION_KEYS = (
    "constituent_mass",
    "jet_radius",
    "pt_min",
    "pt_max",
    "eta_max",
    "max_constituents",
    "detector",
    "mpi",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the top-tagging options on ``parser``."""
    add_common_arguments(parser, default_n=100_000, default_out="data/cache/toptagging.h5", default_chunk=1000)
    parser.add_argument("--ecm", type=positive_float, default=14000.0, help="collision energy in GeV")
    parser.add_argument("--pthat-min", type=non_negative_float, default=200.0, help="PhaseSpace:pTHatMin, GeV")
    parser.add_argument(
        "--pthat-max", type=non_negative_float, default=800.0, help="PhaseSpace:pTHatMax, GeV (0 = none)"
    )
    parser.add_argument(
        "--bias-power",
        type=non_negative_float,
        default=2.0,
        help="PhaseSpace:bias2SelectionPow (0 = unbiased, unit weights); 2 gives the most "
        "effective jets per second with the jet veto (docs/data.md)",
    )
    parser.add_argument("--pt-min", type=non_negative_float, default=550.0, help="jet pT lower cut, GeV")
    parser.add_argument("--pt-max", type=positive_float, default=650.0, help="jet pT upper cut, GeV")
    parser.add_argument("--eta-max", type=positive_float, default=2.0, help="jet |eta| cut")
    parser.add_argument("--radius", type=positive_float, default=0.8, help="anti-kT radius and match dR")
    parser.add_argument("--max-constituents", type=positive_int, default=200, help="constituents kept")
    add_constituent_mass_argument(parser, default=MASSLESS)
    parser.add_argument("--batch", type=positive_int, default=500, help="Pythia events per nextBatch call")
    add_veto_argument(parser)
    parser.add_argument(
        "--detector",
        action="store_true",
        help="cluster tracks and calorimeter towers of the simple ATLAS-like detector simulation "
        "(lorentznets.data.generate.detector) instead of the particles",
    )


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON-serialisable generator settings stored in the output file."""
    check_window(args.pt_min, args.pt_max, "--pt-min", "--pt-max")
    check_chunk_count(args)
    common = pthat_window(args)
    return {
        "generator": "lorentznets.data.generate.toptagging",
        "seed": args.seed,
        "chunk_size": args.chunk_size,
        "mpi": args.mpi,
        "signal_pythia": [*common, *SIGNAL_PROCESS],
        "background_pythia": [*common, *BACKGROUND_PROCESS],
        "seeding": SEEDING,
        "jet_radius": args.radius,
        "pt_min": args.pt_min,
        "pt_max": args.pt_max,
        "eta_max": args.eta_max,
        "max_constituents": args.max_constituents,
        "constituent_mass": args.constituent_mass,
        "batch": args.batch,
        "veto": None if args.no_veto else VetoSettings(args.pt_min, args.eta_max, args.radius).as_dict(),
        "detector": DetectorSettings().as_dict() if args.detector else None,
    }


def _top_match(jet: np.ndarray, partons: dict[str, np.ndarray], radius: float) -> np.ndarray:
    """Which top (0: none, 1: t, 2: tbar) lies with its three decay quarks within ``radius``."""
    jet_x = pt_eta_phi_m(jet)
    matched = np.zeros(len(jet), dtype=np.int64)
    for code, side in ((2, "t2"), (1, "t1")):
        inside = np.ones(len(jet), dtype=bool)
        for name in ("t", "b", "q1", "q2"):
            x = pt_eta_phi_m(partons[f"{side}_{name}"])
            inside &= delta_r(jet_x[:, 1], jet_x[:, 2], x[:, 1], x[:, 2]) < radius
        matched[inside] = code
    return matched


def select_jets(
    events: ak.Array, settings: dict[str, Any], signal: bool, rng: np.random.Generator | None = None
) -> dict[str, np.ndarray]:
    """Leading jets of ``events`` that pass the cuts (and, for signal, the truth match).

    Parameters
    ----------
    events : ak.Array
        Output of ``nextBatch``, shape (events,).
    settings : dict
        Output of :func:`settings_from_args`.
    signal : bool
        Apply the top truth match and fill ``truth_Pmu``.
    rng : np.random.Generator or None
        Random numbers of the detector simulation; required when ``settings["detector"]`` is set.

    Returns
    -------
    dict of str to np.ndarray
        One row per selected jet, in the layout described in ``docs/data.md``.
    """
    particles = visible_final_state(events.prt)
    if settings["detector"] is not None:
        if rng is None:
            raise ValueError("select_jets: settings ask for the detector simulation, which needs an rng")
        detector = DetectorSettings(**settings["detector"])
        particles = simulate_detector(particles, particle_charge(particles.id), rng, detector)
    particles = apply_constituent_mass(particles, settings["constituent_mass"])
    jets, index = cluster_antikt(particles, settings["jet_radius"], settings["pt_min"])
    n_jets = ak.to_numpy(ak.num(jets, axis=1))
    lead = four_momenta(ak.firsts(jets))
    lead_x = pt_eta_phi_m(lead)
    keep = (n_jets > 0) & (lead_x[:, 0] < settings["pt_max"])
    keep &= np.abs(lead_x[:, 1]) < settings["eta_max"]
    truth = np.zeros_like(lead)
    if signal:
        partons, found = top_decay_partons(events.prt)
        match = _top_match(lead, partons, settings["jet_radius"])
        keep &= found & (match > 0)
        truth = np.where((match == 1)[:, None], partons["t1_t"], partons["t2_t"])
    constituents = gather_constituents(particles[keep], index[keep][:, :1])[:, 0]
    n_max = settings["max_constituents"]
    padded = ak.pad_none(constituents, n_max, axis=1, clip=True)
    pmu = four_momenta(padded)
    n_obj = np.minimum(ak.to_numpy(ak.num(constituents, axis=1)), n_max)
    n_kept = int(keep.sum())
    return {
        NOBJ_KEY: n_obj.astype(np.int64),
        PMU_KEY: pmu.astype(np.float32),
        MASK_KEY: np.arange(n_max)[None, :] < n_obj[:, None],
        LABEL_KEY: np.full(n_kept, int(signal), dtype=np.int64),
        TRUTH_KEY: truth[keep].astype(np.float32),
        JET_PT_KEY: lead_x[keep, 0].astype(np.float32),
        MASS_KEY: lead_x[keep, 3].astype(np.float32),
        WEIGHT_KEY: event_weight(events.info)[keep],
        PTHAT_KEY: pthat(events.info)[keep].astype(np.float32),
    }


def generate_class(settings: dict[str, Any], seed: int, n: int, signal: bool) -> dict[str, np.ndarray]:
    """``n`` selected jets of one class, top (``signal``) or QCD, from one Pythia run with ``Random:seed = seed``."""
    key = "signal_pythia" if signal else "background_pythia"
    veto = veto_from_settings(settings["veto"])
    pythia = make_pythia(settings[key], seed, mpi=settings["mpi"], hooks=veto)
    rng = np.random.default_rng([seed, DETECTOR_STREAM])
    return collect_rows(lambda: select_jets(next_batch(pythia, settings["batch"]), settings, signal, rng), n)


def generate_chunk(settings: dict[str, Any], chunk: int, rows: int) -> dict[str, np.ndarray]:
    """Generate ``rows`` jets, half signal and half background, in random order.

    Signal uses ``Random:seed = pythia_seed(seed, chunk)``, background ``pythia_seed(seed, chunk, 1)``.
    """
    return two_class_chunk(partial(generate_class, settings), settings["seed"], chunk, rows)


def run(args: argparse.Namespace) -> None:
    """Generate the top-tagging file described by ``args``."""
    generate_from_args(generate_chunk, settings_from_args(args), args, unit="jets")
