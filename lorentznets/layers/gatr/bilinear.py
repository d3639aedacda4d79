"""Geometric-product bilinear layer: new multivector features from products of channels."""

from __future__ import annotations

import torch
from torch import nn

from .geometric_product import paired_geometric_product, paired_product_table
from .layer_norm import EquivariantLayerNorm
from .linear import EquivariantLinear


class GeometricBilinear(nn.Module):
    """``y = norm(W_out (W_l x)(W_r x))`` with channel-wise geometric products.

    L-GATr has no join: Cl(1,3) is not a projective algebra, so the geometric product is the only
    bilinear. The right factor starts near the unit scalar, making the layer close to linear at
    initialisation.

    Parameters
    ----------
    in_mv_channels, out_mv_channels : int
        Multivector channels; the products use ``out_mv_channels`` channels.
    in_s_channels, out_s_channels : int
        Scalar channels (scalars feed the factors and the output layer).
    subgroup : bool
        See :class:`EquivariantLinear`.
    """

    def __init__(
        self,
        in_mv_channels: int,
        out_mv_channels: int,
        in_s_channels: int = 0,
        out_s_channels: int = 0,
        subgroup: bool = True,
    ) -> None:
        super().__init__()
        self.left = EquivariantLinear(in_mv_channels, out_mv_channels, in_s_channels, 0, subgroup=subgroup)
        self.right = EquivariantLinear(
            in_mv_channels,
            out_mv_channels,
            in_s_channels,
            0,
            subgroup=subgroup,
            initialization="almost_unit_scalar",
        )
        self.out = EquivariantLinear(out_mv_channels, out_mv_channels, in_s_channels, out_s_channels, subgroup=subgroup)
        self.norm = EquivariantLayerNorm()
        # A buffer travels with the module to its device once, and enters compiled graphs as an input.
        self.register_buffer("product_table", paired_product_table(), persistent=False)

    def forward(
        self, multivectors: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Apply the layer.

        Parameters
        ----------
        multivectors : torch.Tensor with shape (8, ..., 2 in_mv_channels)
        scalars : torch.Tensor with shape (..., in_s_channels) or None

        Returns
        -------
        multivectors : torch.Tensor with shape (8, ..., 2 out_mv_channels)
        scalars : torch.Tensor with shape (..., out_s_channels) or None
        """
        left, _ = self.left(multivectors, scalars)
        right, _ = self.right(multivectors, scalars)
        product = paired_geometric_product(left, right, self.product_table)
        return self.norm(*self.out(product.to(left.dtype), scalars))
