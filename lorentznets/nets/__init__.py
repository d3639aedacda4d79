"""Complete networks: the Lorentz-equivariant families and the plain baselines."""

from .lgatr import LGATr
from .lgn import LGN
from .lorentznet import LorentzNet
from .mlp import MLP
from .pelican import PELICAN, PELICANBackbone, PELICANRegressor
from .transformer import Transformer

__all__ = ["LGATr", "LGN", "LorentzNet", "MLP", "PELICAN", "PELICANBackbone", "PELICANRegressor", "Transformer"]
