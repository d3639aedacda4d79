"""Config schema of the top-momentum regression; see :mod:`experiments.common.config_schema`."""

from experiments.common.config_schema import real
from experiments.common.jet_files_schema import JET_FILES_SCHEMA

PTOPRECO_SCHEMA = {
    "data": JET_FILES_SCHEMA,
    "loss": {"mass_weight": real(0.0)},
}
