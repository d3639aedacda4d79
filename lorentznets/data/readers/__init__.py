"""Jet-tagging datasets in every published layout, read into one :class:`JetData`.

Formats: "lgn_h5" (converted top tagging, also our generator's output), "landscape_h5" (top-tagging
landscape pandas HDF5), "lgatr_npz" (L-GATr's top-tagging archive), "energyflow_npz"
(quark-gluon jets with particle IDs, also our generator's HDF5 with the same keys),
"jetclass_root" (JetClass ROOT files). All readers stream in chunks and never build one Python
object per jet; how they build jets beyond a file's layout (JetClass's impact parameters,
EnergyFlow's constituent masses and particle-ID scalars) is one checked :class:`ReadingOptions`.
Per-jet event weights (key ``weight``, written by our Pythia generator) are read
where present. :func:`load_npy` reads our amplitude and event-generation ``.npy`` files with
errors that name the file.

Data that does not fit in memory is streamed instead: :func:`file_ranges` names the jets of
every file, :class:`JetStream` turns them into endless shuffled training batches that mix the
files (resumable, sharded over DDP ranks and DataLoader workers, within a stated memory bound)
and :class:`SequentialJetStream` reads every jet once.
"""

from lorentznets.data.convert.npy_file import load_npy

from .file_ranges import FileRange, file_ranges
from .jet_data import JetData
from .load import available_formats, detect_format, load_jets
from .reading_options import ReadingOptions
from .stream import JetStream, SequentialJetStream

__all__ = [
    "FileRange",
    "JetData",
    "JetStream",
    "ReadingOptions",
    "SequentialJetStream",
    "available_formats",
    "detect_format",
    "file_ranges",
    "load_jets",
    "load_npy",
]
