"""Config schema of a jet-file ``data`` block, shared by the tagging experiments and the
top-momentum regression; see :mod:`experiments.common.config_schema`."""

from experiments.common.config_schema import (
    GENERATE_SCHEMA,
    choice,
    fractions,
    integer,
    seed,
    split_files,
    string,
)

JET_FORMATS = ("auto", "lgn_h5", "landscape_h5", "lgatr_npz", "energyflow_npz", "jetclass_root")

JET_FILES_SCHEMA = {
    "path": string(nullable=True),
    "files": split_files(),
    "format": choice(*JET_FORMATS),
    "max_particles": integer(1),
    "max_jets": integer(1, nullable=True),
    "split_fractions": fractions(3),
    "split_seed": seed(),
    "generate": GENERATE_SCHEMA,
}
"""Keys of a jet-file data block (shared with the top-momentum regression)."""
