"""Loading checkpoints of the official implementations: ``lgatr.LGATr`` state dicts, the LorentzNet
authors' published checkpoints, ``lloca`` backbones and weaver-core's ParT and ParticleNet."""

from .lgatr import convert_lgatr_state_dict, load_lgatr_state_dict
from .lloca import (
    convert_lloca_part_state_dict,
    convert_lloca_particlenet_state_dict,
    convert_lloca_transformer_state_dict,
)
from .lorentznet import (
    convert_official_state_dict,
    from_official_checkpoint,
    from_official_state_dict,
    to_official_state_dict,
)
from .weaver import convert_part_state_dict, convert_particlenet_state_dict

__all__ = [
    "convert_lgatr_state_dict",
    "convert_lloca_part_state_dict",
    "convert_lloca_particlenet_state_dict",
    "convert_lloca_transformer_state_dict",
    "convert_part_state_dict",
    "convert_particlenet_state_dict",
    "convert_official_state_dict",
    "from_official_checkpoint",
    "from_official_state_dict",
    "load_lgatr_state_dict",
    "to_official_state_dict",
]
