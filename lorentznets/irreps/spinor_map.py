"""The exact correspondence between four-vectors and the ``(1, 1)`` irrep, and SL(2, C) <-> SO+(1, 3).

A four-vector p = (E, px, py, pz) (GeV) is the Hermitian matrix ``X = p^mu sigma_mu``,

    X = [[E + pz, px - i py],
         [px + i py, E - pz]],   det X = p^2,

and ``A`` in SL(2, C) acts as ``X -> A X A^dagger``, i.e. on the flattened entries
``X[a, b] -> (A (x) conj A) X``: exactly the ``(1, 1)`` irrep of ``irrep_representation``. The change
of basis matrix has entries 0, +-1, +-i (and 1/2 for the inverse): no trigonometry or square roots,
so the correspondence is exact and in floating point each component carries at most one rounding
of one addition.
With this normalisation the Clebsch-Gordan ``(0, 0)`` component of ``x (x) y`` is ``p . q``.
"""

from __future__ import annotations

import torch

_PAULI = (
    ((1, 0), (0, 1)),
    ((0, 1), (1, 0)),
    ((0, -1j), (1j, 0)),
    ((1, 0), (0, -1)),
)


def vector_to_irrep(p: torch.Tensor) -> torch.Tensor:
    """Four-vectors as ``(1, 1)`` irrep components.

    Parameters
    ----------
    p : torch.Tensor with shape (..., 4), real
        (E, px, py, pz).

    Returns
    -------
    torch.Tensor with shape (..., 4), complex
        ``(E + pz, px - i py, px + i py, E - pz)``; complex128 for float64 input, else complex64.
    """
    if p.shape[-1:] != (4,):
        raise ValueError(f"four-vectors must have shape (..., 4), got {tuple(p.shape)}")
    if p.is_complex():
        raise ValueError(f"four-vectors must be real, got dtype {p.dtype}")
    e, px, py, pz = p.unbind(-1)
    real = torch.stack([e + pz, px, px, e - pz], dim=-1)
    imag = torch.stack([torch.zeros_like(px), -py, py, torch.zeros_like(px)], dim=-1)
    return torch.complex(real, imag)


def irrep_to_vector(x: torch.Tensor) -> torch.Tensor:
    """Inverse of ``vector_to_irrep``: the real four-vector of a ``(1, 1)`` irrep.

    Parameters
    ----------
    x : torch.Tensor with shape (..., 4), complex

    Returns
    -------
    torch.Tensor with shape (..., 4), real
        (E, px, py, pz). For a generic complex (1, 1) element this is the Hermitian part; the
        anti-Hermitian part (i times a second real four-vector) is dropped.
    """
    if x.shape[-1:] != (4,):
        raise ValueError(f"(1, 1) irrep components must have shape (..., 4), got {tuple(x.shape)}")
    x0, x1, x2, x3 = x.unbind(-1)
    e = 0.5 * (x0 + x3)
    pz = 0.5 * (x0 - x3)
    px = 0.5 * (x1 + x2)
    py = 0.5j * (x1 - x2)
    return torch.stack([e, px, py, pz], dim=-1).real


def sl2c_to_lorentz(matrix: torch.Tensor) -> torch.Tensor:
    """The Lorentz matrix of an SL(2, C) element (the covering map, two-to-one).

    Parameters
    ----------
    matrix : torch.Tensor with shape (..., 2, 2), complex

    Returns
    -------
    torch.Tensor with shape (..., 4, 4), real
        ``L`` with ``vector_to_irrep(L @ p) = (A (x) conj A) vector_to_irrep(p)``.
    """
    if matrix.shape[-2:] != (2, 2) or not matrix.is_complex():
        raise ValueError(f"expected complex (..., 2, 2) matrices, got {tuple(matrix.shape)} {matrix.dtype}")
    basis = torch.eye(4, dtype=matrix.real.dtype, device=matrix.device)
    columns = vector_to_irrep(basis)  # (4 basis vectors, 4 components)
    rho = (matrix[..., :, None, :, None] * matrix.conj()[..., None, :, None, :]).reshape(*matrix.shape[:-2], 4, 4)
    transformed = torch.einsum("...ij,nj->...ni", rho, columns)
    return irrep_to_vector(transformed).mT


def lorentz_to_sl2c(lorentz: torch.Tensor, atol: float = 1e-8) -> torch.Tensor:
    """One of the two SL(2, C) preimages of a proper orthochronous Lorentz matrix.

    Uses ``sum_{mu nu} L[mu, nu] sigma_mu W sigma_nu = 2 tr(A^dagger W) A``, with W the Pauli
    matrix (or identity) maximising ``|tr(A^dagger W)|`` so the division is well conditioned.

    Parameters
    ----------
    lorentz : torch.Tensor with shape (..., 4, 4), real
        Elements of SO+(1, 3).
    atol : float
        Allowed ``max|L^T g L - g|`` relative to ``max|L|^2``.

    Returns
    -------
    torch.Tensor with shape (..., 2, 2), complex
        ``A`` with ``sl2c_to_lorentz(A) = L`` (the sign of A is arbitrary).

    Raises
    ------
    ValueError
        If ``lorentz`` is not a proper orthochronous Lorentz matrix.
    """
    _check_proper_orthochronous(lorentz, atol)
    cdtype = torch.complex128 if lorentz.dtype == torch.float64 else torch.complex64
    sigma = torch.tensor(_PAULI, dtype=cdtype, device=lorentz.device)
    lc = lorentz.to(cdtype)
    # candidates[..., w] = sum_{mu nu} L[mu, nu] sigma_mu sigma_w sigma_nu
    candidates = torch.einsum("...mn,mab,wbc,ncd->...wad", lc, sigma, sigma, sigma)
    dets = torch.linalg.det(candidates)
    best = dets.abs().argmax(dim=-1)
    index = best[..., None, None, None].expand(*best.shape, 1, 2, 2)
    chosen = candidates.gather(-3, index).squeeze(-3)
    chosen_det = dets.gather(-1, best[..., None]).squeeze(-1)
    return chosen / torch.sqrt(chosen_det)[..., None, None]


def random_sl2c(
    shape: tuple[int, ...] = (),
    max_rapidity: float = 6.0,
    generator: torch.Generator | None = None,
    dtype: torch.dtype = torch.complex128,
) -> torch.Tensor:
    """Random SL(2, C) elements ``U1 diag(e^(y/2), e^(-y/2)) U2``.

    U1, U2 are Haar-random in SU(2) and the rapidity y is uniform in ``[0, max_rapidity]``, so the
    corresponding Lorentz matrices are boosts of rapidity up to ``max_rapidity`` composed with
    random rotations.

    Returns
    -------
    torch.Tensor with shape (*shape, 2, 2), complex
    """
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    rapidity = torch.rand(shape, generator=generator, dtype=real) * max_rapidity
    half = torch.exp(0.5 * rapidity).to(dtype)
    boost = torch.zeros(*shape, 2, 2, dtype=dtype)
    boost[..., 0, 0] = half
    boost[..., 1, 1] = 1 / half
    return _random_su2(shape, generator, dtype) @ boost @ _random_su2(shape, generator, dtype)


def _random_su2(shape, generator, dtype) -> torch.Tensor:
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    q = torch.randn(*shape, 4, generator=generator, dtype=real)
    q = q / q.norm(dim=-1, keepdim=True)
    a = torch.complex(q[..., 0], q[..., 1])
    b = torch.complex(q[..., 2], q[..., 3])
    top = torch.stack([a, -b.conj()], dim=-1)
    bottom = torch.stack([b, a.conj()], dim=-1)
    return torch.stack([top, bottom], dim=-2)


def _check_proper_orthochronous(lorentz: torch.Tensor, atol: float) -> None:
    if lorentz.shape[-2:] != (4, 4) or lorentz.is_complex():
        raise ValueError(f"expected real Lorentz matrices (..., 4, 4), got {tuple(lorentz.shape)}")
    g = torch.diag(torch.tensor([1.0, -1.0, -1.0, -1.0], dtype=lorentz.dtype, device=lorentz.device))
    scale = lorentz.abs().amax(dim=(-2, -1)) ** 2
    violation = (lorentz.mT @ g @ lorentz - g).abs().amax(dim=(-2, -1))
    if bool((violation > atol * scale).any()):
        raise ValueError(
            f"not a Lorentz matrix: max |L^T g L - g| = {violation.max().item():.3e} (allowed {atol:.0e} x max|L|^2)"
        )
    if bool((lorentz[..., 0, 0] <= 0).any()) or bool((torch.linalg.det(lorentz) <= 0).any()):
        raise ValueError(
            "only proper orthochronous Lorentz matrices (det +1, L00 > 0) have SL(2, C) preimages; "
            "LGN's (k, n) irreps do not represent parity or time reversal"
        )
