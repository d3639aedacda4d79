"""Loading checkpoints of the official implementations: ``lgatr.LGATr`` state dicts and the LorentzNet
authors' published checkpoints."""

from .lgatr import convert_lgatr_state_dict, load_lgatr_state_dict
from .lorentznet import (
    convert_official_state_dict,
    from_official_checkpoint,
    from_official_state_dict,
    to_official_state_dict,
)

__all__ = [
    "convert_lgatr_state_dict",
    "convert_official_state_dict",
    "from_official_checkpoint",
    "from_official_state_dict",
    "load_lgatr_state_dict",
    "to_official_state_dict",
]
