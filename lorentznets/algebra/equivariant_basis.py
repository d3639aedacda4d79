"""Basis of the Lorentz-equivariant linear maps on multivectors.

For the proper orthochronous group the equivariant maps are spanned by the five grade projections
P_k and the five maps x -> P_k(x) I (right multiplication by the pseudoscalar I = e0123), ten in
all, in the order used by the official L-GATr package. Under the full group (with parity and time
reversal) I picks up det(L) = -1, so only the five grade projections remain.
"""

from __future__ import annotations

from functools import cache

import torch

from .blades import GRADE_SLICES
from .tables import product_table


@cache
def _basis(include_pseudoscalar_maps: bool, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    projections = torch.zeros(5, 16, 16, dtype=dtype)
    for k, sl in enumerate(GRADE_SLICES):
        projections[k, sl, sl] = torch.eye(sl.stop - sl.start, dtype=dtype)
    if not include_pseudoscalar_maps:
        return projections.to(device)
    right_times_pseudoscalar = product_table("geometric", dtype)[:, :, 15]
    dual_maps = right_times_pseudoscalar @ projections
    return torch.cat([projections, dual_maps]).to(device)


def equivariant_linear_basis(
    include_pseudoscalar_maps: bool = True, dtype: torch.dtype = torch.float32, device="cpu"
) -> torch.Tensor:
    """The equivariant linear maps on multivectors.

    Parameters
    ----------
    include_pseudoscalar_maps : bool
        True for the 10 maps equivariant under the proper orthochronous group, False for the 5
        grade projections that are equivariant under the full Lorentz group.

    Returns
    -------
    torch.Tensor with shape (10, 16, 16) or (5, 16, 16)
        ``basis[a] @ x`` applies map a to a multivector x with shape (16,).
    """
    return _basis(include_pseudoscalar_maps, dtype, torch.device(device))
