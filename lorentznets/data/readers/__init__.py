"""Jet-tagging datasets in every published layout, read into one :class:`JetData`.

Formats: "lgn_h5" (converted top tagging, also our generator's output), "landscape_h5" (top-tagging
landscape pandas HDF5), "lgatr_npz" (L-GATr's top-tagging archive), "energyflow_npz"
(quark-gluon jets with particle IDs, also our generator's HDF5 with the same keys),
"jetclass_root" (JetClass ROOT files). All readers stream in chunks and never build one Python
object per jet. Per-jet event weights (key ``weight``, written by our Pythia generator) are read
where present. :func:`load_npy` reads our amplitude and event-generation ``.npy`` files with
errors that name the file.
"""

from lorentznets.data.convert.npy_file import load_npy

from .jet_data import JetData
from .load import available_formats, detect_format, load_jets

__all__ = ["JetData", "available_formats", "detect_format", "load_jets", "load_npy"]
