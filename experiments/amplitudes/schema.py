"""Config schema of amplitude regression; see :mod:`experiments.common.config_schema`."""

from experiments.common.config_schema import (
    GENERATE_SCHEMA,
    boolean,
    fractions,
    integer,
    mapping,
    real,
    seed,
    string,
    string_list,
)
from experiments.common.frames_schema import lloca_model_section

AMPLITUDES_SCHEMA = {
    "data": {
        "dir": string(),
        "processes": string_list(non_empty=True),
        "particles": mapping(),
        "max_events": integer(1, nullable=True),
        "split_fractions": fractions(3),
        "split_seed": seed(),
        "train_size": integer(1, nullable=True),
        "particle_tokens": boolean(),
        "generate": GENERATE_SCHEMA,
        "phase_space": {
            "sqrt_s": real(0.0, exclusive_minimum=True),
            "pt_min": real(0.0),
            "delta_r_min": real(0.0),
            "max_boost_rapidity": real(0.0),
        },
    },
    "model": lloca_model_section({"lloca_transformer": ("learned",)}),
}
