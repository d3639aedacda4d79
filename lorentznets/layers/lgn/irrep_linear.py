"""Equivariant linear mixing of channels within each irrep (complex weights)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import nn

from ...irreps import Irrep, sort_irreps
from .features import SCALAR, IrrepFeatures, as_complex


class IrrepLinear(nn.Module):
    """``y^(k, n)_c = sum_c' W^(k, n)_{c c'} x^(k, n)_c' (+ b_c for (0, 0))``.

    By Schur's lemma a complex multiple of the identity is the only equivariant map of an irrep to
    itself, so channel mixing with complex weights per irrep is the most general equivariant
    linear map. Only the scalar irrep ``(0, 0)`` may have a bias.

    Weights are stored as real pairs (real, imaginary) so that ``module.double()`` converts them,
    and are cast to the dtype of the input at call time.

    Parameters
    ----------
    in_multiplicities : mapping (k, n) -> int
        Input channels per irrep.
    out_channels : int or mapping (k, n) -> int
        Output channels per irrep (an int: the same for every input irrep).
    bias : bool
        Add a learnable complex bias to the ``(0, 0)`` output.
    """

    def __init__(
        self,
        in_multiplicities: Mapping[Irrep, int],
        out_channels: int | Mapping[Irrep, int],
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.irreps = sort_irreps(in_multiplicities)
        if isinstance(out_channels, int):
            out_channels = {r: out_channels for r in self.irreps}
        missing = [r for r in self.irreps if r not in out_channels]
        if missing:
            raise ValueError(f"out_channels lacks irreps {missing}")
        self.in_multiplicities = {r: int(in_multiplicities[r]) for r in self.irreps}
        self.out_multiplicities = {r: int(out_channels[r]) for r in self.irreps}
        self.weights = nn.ParameterDict()
        for r in self.irreps:
            fan_in = self.in_multiplicities[r]
            # Complex Gaussian with E|w|^2 = 1 / fan_in keeps the activation scale.
            w = torch.randn(self.out_multiplicities[r], fan_in, 2) / math.sqrt(2 * fan_in)
            self.weights[_key(r)] = nn.Parameter(w)
        self.bias = (
            nn.Parameter(torch.zeros(self.out_multiplicities[SCALAR], 2)) if bias and SCALAR in self.irreps else None
        )

    def forward(self, features: IrrepFeatures) -> IrrepFeatures:
        """Mix channels.

        Parameters
        ----------
        features : dict of complex tensors with shape (B, N, C_in[(k, n)], d)

        Returns
        -------
        dict of complex tensors with shape (B, N, C_out[(k, n)], d)
        """
        out = {}
        for r in self.irreps:
            if r not in features:
                raise KeyError(f"IrrepLinear expects irrep {r}; got {sorted(features)}")
            x = features[r]
            if x.shape[2] != self.in_multiplicities[r]:
                raise ValueError(f"irrep {r}: expected {self.in_multiplicities[r]} channels, got {x.shape[2]}")
            w = as_complex(self.weights[_key(r)], x.dtype)
            y = torch.einsum("oc,bncd->bnod", w, x)
            if r == SCALAR and self.bias is not None:
                # contiguous: Inductor adds complex tensors as real views, which fail at run time on
                # the einsum's permuted (B, N, C, 1) output (its last stride is not 1)
                y = y.contiguous() + as_complex(self.bias, x.dtype)[:, None]
            out[r] = y
        return out


def _key(irrep: Irrep) -> str:
    return f"{irrep[0]}_{irrep[1]}"
