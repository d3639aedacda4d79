"""Clebsch-Gordan coefficients of the Lorentz group (SL(2, C)) in the ``(k, n)`` basis.

Because ``(k, n) = Sym^k (x) conj(Sym^n)``, the coupling ``(k1, n1) (x) (k2, n2) -> (k, n)`` is
the product of two SU(2) couplings, ``k1/2 (x) k2/2 -> k/2`` on the holomorphic factor and
``n1/2 (x) n2/2 -> n/2`` on the anti-holomorphic one. The coefficients are real and exact to float64
rounding (see ``su2_clebsch_gordan``); stacking every irrep of a product gives an orthogonal
matrix.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch

from .irreps import Irrep, check_irrep, irrep_dim, product_irreps
from .su2_clebsch_gordan import su2_clebsch_gordan


@cache
def _lorentz_clebsch_gordan(irrep1: Irrep, irrep2: Irrep, irrep: Irrep) -> np.ndarray:
    (k1, n1), (k2, n2), (k, n) = irrep1, irrep2, irrep
    left = su2_clebsch_gordan(k1, k2, k)
    right = su2_clebsch_gordan(n1, n2, n)
    out = np.einsum("iab,jcd->ijacbd", left, right).reshape(irrep_dim(irrep), irrep_dim(irrep1), irrep_dim(irrep2))
    out.setflags(write=False)
    return out


def clebsch_gordan(
    irrep1: Irrep,
    irrep2: Irrep,
    irrep: Irrep,
    dtype: torch.dtype = torch.float64,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Projection of ``irrep1 (x) irrep2`` onto its component ``irrep``.

    Parameters
    ----------
    irrep1, irrep2, irrep : (int, int)
    dtype : torch.dtype
        Real or complex; the coefficients are real.
    device : torch.device, optional

    Returns
    -------
    torch.Tensor with shape (dim, dim1, dim2)
        ``C`` with ``C @ (rho1(A) (x) rho2(A)) = rho(A) @ C`` for every A in SL(2, C), i.e.
        ``z_c = sum_ab C[c, a, b] x_a y_b`` transforms in ``irrep`` when x, y transform in
        ``irrep1``, ``irrep2``.

    Raises
    ------
    ValueError
        If ``irrep`` does not occur in ``irrep1 (x) irrep2``.
    """
    irrep1, irrep2, irrep = check_irrep(irrep1), check_irrep(irrep2), check_irrep(irrep)
    allowed = product_irreps(irrep1, irrep2)
    if irrep not in allowed:
        raise ValueError(f"irrep {irrep} does not occur in {irrep1} (x) {irrep2}; it contains {allowed}")
    table = _lorentz_clebsch_gordan(irrep1, irrep2, irrep)
    return torch.tensor(table, dtype=dtype, device=device)


def clebsch_gordan_decomposition(
    irrep1: Irrep,
    irrep2: Irrep,
    maxdim: int | None = None,
    dtype: torch.dtype = torch.float64,
    device: torch.device | str | None = None,
) -> dict[Irrep, torch.Tensor]:
    """Every Clebsch-Gordan projection of ``irrep1 (x) irrep2``, optionally truncated.

    Parameters
    ----------
    irrep1, irrep2 : (int, int)
    maxdim : int, optional
        Keep only output irreps ``(k, n)`` with ``k, n <= maxdim``.
    dtype, device
        As in ``clebsch_gordan``.

    Returns
    -------
    dict mapping (k, n) to torch.Tensor with shape (dim, dim1, dim2)
        Without truncation, the concatenation along the first axis, reshaped to
        ``(dim1 * dim2, dim1 * dim2)``, is an orthogonal matrix.
    """
    return {
        irrep: clebsch_gordan(irrep1, irrep2, irrep, dtype=dtype, device=device)
        for irrep in product_irreps(irrep1, irrep2, maxdim)
    }
