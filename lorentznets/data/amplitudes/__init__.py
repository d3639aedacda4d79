"""Exact tree-level squared amplitudes and RAMBO phase space for amplitude-regression data.

Conventions (details in ``docs/amplitudes.md``): momenta (E, px, py, pz) in GeV, metric
diag(+1, -1, -1, -1); squared amplitudes averaged over initial and summed over final helicities and
colours, divided by k! for k identical final-state gluons, couplings of
:class:`~lorentznets.data.amplitudes.couplings.Couplings`.
"""

from .berends_giele import gluons_berends_giele, qqbar_z_gluons_berends_giele
from .closed_forms import gg_to_gg_textbook, gluons_parke_taylor, qqbar_to_zg_textbook
from .couplings import Couplings
from .events import generate_events, passes_cuts
from .phase_space import boost_along_z, incoming_momenta, rambo, rambo_flat_weight
from .processes import PROCESSES, Process, get_process
from .writer import process_seed, write_process_file

__all__ = [
    "Couplings",
    "PROCESSES",
    "Process",
    "boost_along_z",
    "gg_to_gg_textbook",
    "generate_events",
    "get_process",
    "gluons_berends_giele",
    "gluons_parke_taylor",
    "incoming_momenta",
    "passes_cuts",
    "process_seed",
    "qqbar_to_zg_textbook",
    "qqbar_z_gluons_berends_giele",
    "rambo",
    "rambo_flat_weight",
    "write_process_file",
]
