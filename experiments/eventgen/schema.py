"""Config schema of event generation; see :mod:`experiments.common.config_schema`."""

from experiments.common.config_schema import (
    GENERATE_SCHEMA,
    choice,
    fractions,
    integer,
    real,
    seed,
    string,
)
from experiments.common.frames_schema import lloca_model_section
from lorentznets.flows.ode_solver import SOLVER_METHODS

SOLVER_SCHEMA = {
    "method": choice(*SOLVER_METHODS),
    "steps": integer(1),
    "rtol": real(0.0, exclusive_minimum=True),
    "atol": real(0.0, exclusive_minimum=True),
}

EVENTGEN_SCHEMA = {
    "model": lloca_model_section({"lloca_transformer": ("learned",)}),
    "data": {
        "path": string(),
        "n_extra_jets": integer(0),
        "max_events": integer(1, nullable=True),
        "split_fractions": fractions(3),
        "split_seed": seed(),
        "generate": GENERATE_SCHEMA,
    },
    "cuts": {
        "pt_min": real(0.0),
        "eta_max": real(0.0, exclusive_minimum=True),
        "delta_r_min": real(0.0, nullable=True),
    },
    "flow": {
        "pt_min": real(0.0),
        "mass_eps": real(0.0, exclusive_minimum=True),
        "time_channels": integer(2),
    },
    "sampling": {"n_samples": integer(1, nullable=True), "batchsize": integer(1), "solver": SOLVER_SCHEMA},
    "likelihood": {
        "n_events": integer(1),
        "batchsize": integer(1),
        "trace": choice("exact", "hutchinson"),
        "solver": SOLVER_SCHEMA,
    },
    "classifier": {"max_iter": integer(1)},
    "plotting": {"bins": integer(2), "delta_r_pairs": choice("decay", "all")},
}
