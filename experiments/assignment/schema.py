"""Config schema of jet-parton assignment; see :mod:`experiments.common.config_schema`."""

from experiments.common.config_schema import (
    GENERATE_SCHEMA,
    boolean,
    fractions,
    integer,
    mapping,
    real,
    seed,
    split_files,
    string,
    string_list,
)

ASSIGNMENT_SCHEMA = {
    "data": {
        "path": string(nullable=True),
        "files": split_files(),
        "event_file": string(nullable=True),
        "max_events": integer(1, nullable=True),
        "invariant_features": string_list(),
        "split_fractions": fractions(3),
        "split_seed": seed(),
        "generate": GENERATE_SCHEMA,
    },
    "heads": {
        "features": integer(1),
        "rank": integer(1),
        "detection_weight": real(0.0),
    },
    "training": {
        "regression_loss_weight": real(0.0),
        "classification_loss_weight": real(0.0),
    },
    "evaluation": {"export_onnx": boolean()},
    "model": {"wrapper": mapping(nullable=True)},
}
