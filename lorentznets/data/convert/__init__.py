"""Readers and converters for public jet datasets, streaming in chunks with numpy and h5py.

Converters (also ``python -m lorentznets.data.convert <what> <in> <out>``):

- ``landscape``: top-tagging landscape pandas HDF5 -> LGN layout (:mod:`.lgn_layout`);
- ``energyflow``: EnergyFlow quark-gluon ``.npz`` (pt, y, phi, pid) -> LGN layout with 4-momenta
  and particle-ID ``scalars``.
"""

from .checks import (
    NonFiniteTally,
    check_binary_labels,
    empty_jet_message,
    require_file,
    require_keys,
    require_shape,
)
from .energyflow import convert_energyflow, energyflow_chunks, iter_energyflow_chunks
from .jet_arrays import JetChunk, chunk_bounds, jet_pt_and_mass, nonzero_mask, order_and_pad, summed_jets
from .landscape import convert_landscape, iter_landscape_chunks
from .lgn_layout import iter_lgn_chunks, write_lgn_h5
from .npz_stream import NpzArray, npz_keys
from .pandas_hdf import PandasHDFFrame, is_pandas_frame
from .pid import NUM_PID_FEATURES, PID_CLASSES, momenta_from_pt_y_phi_pid

CONVERTERS = {"landscape": convert_landscape, "energyflow": convert_energyflow}

__all__ = [
    "CONVERTERS",
    "JetChunk",
    "NUM_PID_FEATURES",
    "NonFiniteTally",
    "NpzArray",
    "PID_CLASSES",
    "PandasHDFFrame",
    "check_binary_labels",
    "chunk_bounds",
    "convert_energyflow",
    "convert_landscape",
    "empty_jet_message",
    "energyflow_chunks",
    "is_pandas_frame",
    "iter_energyflow_chunks",
    "iter_landscape_chunks",
    "iter_lgn_chunks",
    "jet_pt_and_mass",
    "momenta_from_pt_y_phi_pid",
    "nonzero_mask",
    "npz_keys",
    "order_and_pad",
    "require_file",
    "require_keys",
    "require_shape",
    "summed_jets",
    "write_lgn_h5",
]
