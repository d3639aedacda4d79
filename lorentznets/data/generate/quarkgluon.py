"""Quark vs gluon jets from Z(-> nu nu) + jet, like the EnergyFlow sample (arXiv 1810.05165).

14 TeV pp at particle level. Gluon jets come from ``WeakBosonAndParton:qqbar2gmZg`` and quark
jets from ``WeakBosonAndParton:qg2gmZq``, run as separate Pythia instances so that the classes
are balanced; the Z decays to neutrinos only. The leading anti-kT R = 0.4 jet of the visible
final state is kept if 500 < pT < 550 GeV and |y| < 1.7. As in EnergyFlow's default Pythia
sample, quark jets come from u, d and s quarks only (``--quark-flavours udscb`` adds c and b, like
its ``with_bc`` sample), the particles keep their hadron masses (the rapidity y is that of the
massive particle; readers rebuild E from the PDG id) and every particle's phi lies within pi of
the jet's phi in [0, 2 pi). Output: HDF5 with the EnergyFlow keys ``X`` (jets, particles, 4) =
(pt, y, phi, pid) and ``y`` (1 = quark), plus ``n_particles``, ``parton_id``, ``weight`` and
``pthat`` (see ``docs/data.md``).
"""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any

import awkward as ak
import numpy as np

from lorentznets.data.cli_types import check_window, non_negative_float, positive_float, positive_int
from lorentznets.data.convert.energyflow import LABELS_KEY, N_PARTICLES_KEY, PARTICLES_KEY
from lorentznets.data.convert.event_weights import PTHAT_KEY, WEIGHT_KEY
from lorentznets.data.generate.chunk_runner import generate_from_args
from lorentznets.data.generate.clustering import cluster_antikt, gather_constituents
from lorentznets.data.generate.jet_veto import VetoSettings, veto_from_settings
from lorentznets.data.generate.kinematics import four_momenta, pt_eta_phi_m, rapidity
from lorentznets.data.generate.options import SEEDING, add_common_arguments, add_veto_argument, check_chunk_count
from lorentznets.data.generate.pythia_session import (
    event_weight,
    make_pythia,
    next_batch,
    pthat,
    visible_final_state,
)
from lorentznets.data.generate.sampling import collect_rows, pthat_window, two_class_chunk

Z_TO_NEUTRINOS = ("WeakZ0:gmZmode = 2", "23:onMode = off", "23:onIfAny = 12 14 16")
QUARK_PROCESS = ("WeakBosonAndParton:qg2gmZq = on",)
GLUON_PROCESS = ("WeakBosonAndParton:qqbar2gmZg = on",)
# Largest abs(PDG id) of the outgoing quark that a quark jet may come from.
QUARK_FLAVOURS = {"uds": 3, "udscb": 5}
GLUON_ID = 21
HARD_PROCESS_STATUS = 23
PARTON_ID_KEY = "parton_id"
# Recorded in the settings: each particle's phi is written within pi of the jet's phi (EnergyFlow's
# convention), not as the absolute azimuth.
PARTICLE_PHI = "within_pi_of_jet"
# Settings that define what a stored jet is, as opposed to how it was sampled; a cached file must
# agree on these to be reused.
CONVENTION_KEYS = (
    "quark_flavours",
    "particle_phi",
    "jet_radius",
    "pt_min",
    "pt_max",
    "rapidity_max",
    "max_particles",
    "mpi",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the quark-gluon options on ``parser``."""
    add_common_arguments(parser, default_n=100_000, default_out="data/cache/quarkgluon.h5", default_chunk=1000)
    parser.add_argument("--ecm", type=positive_float, default=14000.0, help="collision energy in GeV")
    parser.add_argument("--pthat-min", type=non_negative_float, default=300.0, help="PhaseSpace:pTHatMin, GeV")
    parser.add_argument("--pthat-max", type=non_negative_float, default=0.0, help="PhaseSpace:pTHatMax, GeV (0 = none)")
    parser.add_argument(
        "--bias-power",
        type=non_negative_float,
        default=2.0,
        help="PhaseSpace:bias2SelectionPow (0 = off); see docs/data.md",
    )
    parser.add_argument("--pt-min", type=non_negative_float, default=500.0, help="jet pT lower cut, GeV")
    parser.add_argument("--pt-max", type=positive_float, default=550.0, help="jet pT upper cut, GeV")
    parser.add_argument("--rapidity-max", type=positive_float, default=1.7, help="jet |y| cut")
    parser.add_argument("--radius", type=positive_float, default=0.4, help="anti-kT radius")
    parser.add_argument("--max-particles", type=positive_int, default=150, help="particles kept per jet")
    parser.add_argument(
        "--quark-flavours",
        choices=sorted(QUARK_FLAVOURS),
        default="uds",
        help="flavours of the outgoing quark of quark jets: 'uds' as EnergyFlow's default Pythia sample, "
        "'udscb' as its with_bc sample",
    )
    parser.add_argument("--batch", type=positive_int, default=500, help="Pythia events per nextBatch call")
    add_veto_argument(parser)


def settings_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON-serialisable generator settings stored in the output file."""
    check_window(args.pt_min, args.pt_max, "--pt-min", "--pt-max")
    check_chunk_count(args)
    common = [*pthat_window(args), *Z_TO_NEUTRINOS]
    return {
        "generator": "lorentznets.data.generate.quarkgluon",
        "seed": args.seed,
        "chunk_size": args.chunk_size,
        "mpi": args.mpi,
        "quark_pythia": [*common, *QUARK_PROCESS],
        "gluon_pythia": [*common, *GLUON_PROCESS],
        "seeding": SEEDING,
        "jet_radius": args.radius,
        "pt_min": args.pt_min,
        "pt_max": args.pt_max,
        "rapidity_max": args.rapidity_max,
        "max_particles": args.max_particles,
        "quark_flavours": args.quark_flavours,
        "particle_phi": PARTICLE_PHI,
        "batch": args.batch,
        "veto": None if args.no_veto else VetoSettings(args.pt_min, args.rapidity_max, args.radius).as_dict(),
    }


def hard_parton_id(prt: ak.Array) -> np.ndarray:
    """PDG id of the outgoing quark or gluon of the hard process, shape (events,), int64.

    It is the first quark or gluon with status +-23 in the record (the Z's neutrinos also have
    status 23, so partons are selected explicitly); 0 where there is none.
    """
    absid = np.abs(prt.id)
    parton = (np.abs(prt.status) == HARD_PROCESS_STATUS) & ((absid <= 5) | (absid == GLUON_ID))
    return ak.to_numpy(ak.fill_none(ak.firsts(prt.id[parton]), 0)).astype(np.int64)


def phi_near(phi: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Shift each azimuth by a multiple of 2 pi into [reference - pi, reference + pi) (broadcasts)."""
    return reference + np.mod(phi - reference + np.pi, 2 * np.pi) - np.pi


def select_jets(events: ak.Array, settings: dict[str, Any], quark: bool) -> dict[str, np.ndarray]:
    """Leading jets of ``events`` passing the cuts (and, for quarks, the flavour choice), as EnergyFlow rows.

    Returns
    -------
    dict of str to np.ndarray
        ``X`` (jets, max_particles, 4) float64 (pt in GeV, rapidity y, phi within pi of the jet's
        phi in [0, 2 pi), PDG id), zero padded, particles by decreasing pt; ``y`` (jets,) 1 for
        quark; ``n_particles`` (jets,) before clipping; ``parton_id`` (jets,) the PDG id of the
        hard-process quark or gluon; ``weight``; ``pthat``.
    """
    particles = visible_final_state(events.prt)
    jets, index = cluster_antikt(particles, settings["jet_radius"], settings["pt_min"])
    n_jets = ak.to_numpy(ak.num(jets, axis=1))
    lead = four_momenta(ak.firsts(jets))
    lead_x = pt_eta_phi_m(lead)
    keep = (n_jets > 0) & (lead_x[:, 0] < settings["pt_max"])
    keep &= np.abs(rapidity(lead)) < settings["rapidity_max"]
    parton = hard_parton_id(events.prt)
    if quark:
        keep &= (np.abs(parton) >= 1) & (np.abs(parton) <= QUARK_FLAVOURS[settings["quark_flavours"]])
    constituents = gather_constituents(particles[keep], index[keep][:, :1])[:, 0]
    n_max = settings["max_particles"]
    padded = ak.pad_none(constituents, n_max, axis=1, clip=True)
    p = four_momenta(padded)
    real = p[..., 0] > 0
    x = np.zeros(p.shape, dtype=np.float64)
    kinematics = pt_eta_phi_m(p)
    jet_phi = np.mod(lead_x[keep, 2], 2 * np.pi)
    x[..., 0] = kinematics[..., 0]
    x[..., 1] = rapidity(p)
    x[..., 2] = phi_near(kinematics[..., 2], jet_phi[:, None])
    x[..., 3] = ak.to_numpy(ak.fill_none(padded.id, 0))
    x[~real] = 0.0
    return {
        PARTICLES_KEY: x,
        LABELS_KEY: np.full(int(keep.sum()), int(quark), dtype=np.int64),
        N_PARTICLES_KEY: ak.to_numpy(ak.num(constituents, axis=1)).astype(np.int64),
        PARTON_ID_KEY: parton[keep],
        WEIGHT_KEY: event_weight(events.info)[keep],
        PTHAT_KEY: pthat(events.info)[keep].astype(np.float32),
    }


def generate_class(settings: dict[str, Any], seed: int, n: int, quark: bool) -> dict[str, np.ndarray]:
    """``n`` selected jets of one class, quark (``quark``) or gluon, from one Pythia run with ``Random:seed = seed``."""
    veto = veto_from_settings(settings["veto"])
    pythia = make_pythia(settings["quark_pythia" if quark else "gluon_pythia"], seed, settings["mpi"], hooks=veto)
    return collect_rows(lambda: select_jets(next_batch(pythia, settings["batch"]), settings, quark), n)


def generate_chunk(settings: dict[str, Any], chunk: int, rows: int) -> dict[str, np.ndarray]:
    """Generate ``rows`` jets, half quark and half gluon, in random order.

    Quarks use ``Random:seed = pythia_seed(seed, chunk)``, gluons ``pythia_seed(seed, chunk, 1)``.
    """
    return two_class_chunk(partial(generate_class, settings), settings["seed"], chunk, rows)


def run(args: argparse.Namespace) -> None:
    """Generate the quark-gluon file described by ``args``."""
    generate_from_args(generate_chunk, settings_from_args(args), args, unit="jets")
