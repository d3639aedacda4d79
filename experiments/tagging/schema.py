"""Config schema of the tagging experiments (toptagging, qgtagging, jetclass); see
:mod:`experiments.common.config_schema`."""

from experiments.common.config_schema import (
    Key,
    boolean,
    choice,
    integer,
    real,
)
from experiments.common.frames_schema import FRAME_KINDS, lloca_model_section
from experiments.common.jet_files_schema import JET_FILES_SCHEMA
from experiments.tagging.features import FEATURE_CONVENTIONS
from lorentznets.data.convert.pid import CONSTITUENT_MASSES

STREAM_SCHEMA = {
    "block_jets": integer(1),
    "window_jets": integer(1),
    "interleave": integer(1),
    "sample_jets": integer(1),
}
"""``data.stream``: the layout of a streamed training split (see :class:`lorentznets.data.readers.stream.JetStream`)."""

TAGGING_SCHEMA = {
    "data": {
        **JET_FILES_SCHEMA,
        "class_names": Key(
            (list,),
            "a list of at least 2 distinct class names",
            lambda v: len(v) >= 2 and all(isinstance(n, str) and n for n in v) and len(set(v)) == len(v),
        ),
        "use_scalars": boolean(),
        "use_weights": boolean(),
        "impact_parameters": boolean(),
        "features": choice(*FEATURE_CONVENTIONS),
        "constituent_mass": choice(*CONSTITUENT_MASSES),
        "streaming": Key((bool, str), "true, false or auto", lambda v: v in (True, False, "auto")),
        "memory_cap_gb": real(0.0, exclusive_minimum=True),
        "stream": STREAM_SCHEMA,
    },
    "model": lloca_model_section(dict.fromkeys(("lloca_transformer", "lloca_part", "lloca_particlenet"), FRAME_KINDS)),
}
