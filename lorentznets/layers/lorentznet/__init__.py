"""LorentzNet layers: the Lorentz group equivariant block and its input conventions."""

from .inputs import QUARK_GLUON_PIDS, quark_gluon_scalars, top_tagging_inputs
from .lgeb import LGEB
from .masked_batch_norm import MaskedBatchNorm1d, synchronise_batch_norm
from .real_pairs import real_pairs
from .signed_log import signed_log

__all__ = [
    "LGEB",
    "QUARK_GLUON_PIDS",
    "MaskedBatchNorm1d",
    "quark_gluon_scalars",
    "real_pairs",
    "signed_log",
    "synchronise_batch_norm",
    "top_tagging_inputs",
]
