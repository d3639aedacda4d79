"""Complete networks: the Lorentz-equivariant families, LLoCa backbones and the plain baselines."""

from .lgatr import LGATr
from .lgn import LGN
from .lloca_part import LLoCaParticleTransformer
from .lloca_particlenet import LLoCaParticleNet
from .lloca_transformer import LLoCaTransformer
from .lorentznet import LorentzNet
from .mlp import MLP
from .part import ParticleTransformer
from .particlenet import ParticleNet
from .pelican import PELICAN, PELICANBackbone, PELICANRegressor
from .transformer import Transformer

__all__ = [
    "LGATr",
    "LGN",
    "LLoCaParticleNet",
    "LLoCaParticleTransformer",
    "LLoCaTransformer",
    "LorentzNet",
    "MLP",
    "PELICAN",
    "PELICANBackbone",
    "PELICANRegressor",
    "ParticleNet",
    "ParticleTransformer",
    "Transformer",
]
