"""Equivariance assertions for functions of four-vectors, multivectors and particle sets.

Users check their own models exactly as the library checks its own:

>>> import torch
>>> from lorentznets.lorentz import minkowski_dot
>>> from lorentznets.testing import assert_invariant
>>> p = torch.randn(8, 4, dtype=torch.float64)
>>> q = torch.randn(8, 4, dtype=torch.float64)
>>> worst = assert_invariant(minkowski_dot, (p, q), ("vector", "vector"))  # the largest relative error
>>> worst < 1e-9
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from ..algebra.action import multivector_representation
from ..lorentz.transforms import parity_matrix, random_lorentz_transform, time_reversal_matrix

REPS = ("scalar", "pseudoscalar", "vector", "multivector", "none")
_DEFAULT_RTOL = {torch.float64: 1e-9, torch.float32: 1e-4, torch.bfloat16: 5e-2, torch.float16: 5e-3}


def transform(x: torch.Tensor, rep: str, matrix: torch.Tensor) -> torch.Tensor:
    """Apply one Lorentz transformation to a tensor of the given representation.

    Parameters
    ----------
    x : torch.Tensor
        "scalar"/"none": any shape, unchanged; "pseudoscalar": multiplied by det(L);
        "vector": shape (..., 4); "multivector": shape (..., 16).
    rep : str
        One of ``REPS``.
    matrix : torch.Tensor with shape (4, 4)

    Returns
    -------
    torch.Tensor with the shape of ``x``
    """
    if rep in ("scalar", "none"):
        return x
    matrix = matrix.to(x.dtype)
    if rep == "pseudoscalar":
        return x * torch.linalg.det(matrix.double()).to(x.dtype)
    if rep == "vector":
        _check_last_dim(x, 4, rep)
        return x @ matrix.mT
    if rep == "multivector":
        _check_last_dim(x, 16, rep)
        rho = multivector_representation(matrix.double()).to(x.dtype)
        return x @ rho.mT
    raise ValueError(f"unknown representation {rep!r}; choose from {REPS}")


def assert_equivariant(
    fn: Callable[..., torch.Tensor | Sequence[torch.Tensor]],
    inputs: Sequence[torch.Tensor],
    in_reps: Sequence[str],
    out_reps: Sequence[str] | None = None,
    *,
    particle_dims: Sequence[int | None] | None = None,
    out_particle_dims: Sequence[int | None] | None = None,
    max_rapidity: float = 6.0,
    parity: bool = False,
    time_reversal: bool = False,
    n_trials: int = 3,
    generator: torch.Generator | None = None,
    rtol: float | None = None,
    atol: float = 0.0,
) -> float:
    """Assert that ``fn`` commutes with random Lorentz transformations and particle permutations.

    For each trial one Lorentz transformation L (boost rapidity ``max_rapidity`` in the first trial,
    uniform up to it in the others, random axes and rotations) and one permutation of the particle axis are drawn and
    ``fn(g . inputs)`` is compared with ``g . fn(inputs)``. With ``parity`` and/or
    ``time_reversal``, L is followed by the discrete elements in turn (P and 1; T and 1; P, T, PT
    and 1 for both), so that each is tested; the number of trials is raised to their count
    where ``n_trials`` is smaller.

    Parameters
    ----------
    fn : callable
        Takes the inputs positionally and returns a tensor or a tuple of tensors.
    inputs : sequence of torch.Tensor
        Masks and other non-float inputs use the rep "none" (permuted, not transformed).
    in_reps, out_reps : sequence of str
        Representation of each input / output, among ``REPS``. ``out_reps=None`` means every
        output is a Lorentz scalar.
    particle_dims : sequence of (int, tuple of int, or None), optional
        The particle axis of each input (None: no particle axis; a tuple for pairwise tensors
        such as (B, N, N, C), whose axes are all permuted). Either one entry per input, or one
        per input followed by one per output. If omitted, permutations are not tested.
    out_particle_dims : sequence of (int, tuple of int, or None), optional
        The particle axes of each output; default None for every output (permutation invariant).
    rtol : float, optional
        Allowed ``max|fn(g x) - g fn(x)| / max|g fn(x)|`` per output; default by dtype
        (1e-9 for float64).
    atol : float
        Absolute floor added to the allowed error.

    Returns
    -------
    float
        The largest relative error seen.

    Raises
    ------
    AssertionError
        If any output deviates by more than the tolerance.
    """
    inputs = tuple(inputs)
    if len(in_reps) != len(inputs):
        raise ValueError(f"got {len(inputs)} inputs but {len(in_reps)} in_reps")
    in_dims, out_dims = _split_particle_dims(particle_dims, out_particle_dims, len(inputs))
    generator = generator if generator is not None else torch.Generator().manual_seed(1234)
    discrete = _discrete_elements(parity, time_reversal)
    worst = 0.0
    for trial in range(max(n_trials, len(discrete))):
        name, element = discrete[trial % len(discrete)]
        # the first trial boosts by max_rapidity itself: the claimed range is always tested
        rapidity = max_rapidity if trial == 0 else None
        matrix = random_lorentz_transform((), rapidity=rapidity, max_rapidity=max_rapidity, generator=generator)
        matrix = matrix @ element
        perm = _draw_permutation(inputs, in_dims, generator)
        moved = tuple(_permute(transform(x, rep, matrix), dim, perm) for x, rep, dim in zip(inputs, in_reps, in_dims))
        expected = _as_tuple(fn(*inputs))
        got = _as_tuple(fn(*moved))
        reps = tuple(out_reps) if out_reps is not None else ("scalar",) * len(expected)
        if len(reps) != len(expected) or len(got) != len(expected):
            raise ValueError(f"fn returned {len(expected)} outputs but {len(reps)} out_reps were given")
        dims = out_dims if out_dims is not None else (None,) * len(expected)
        for index, (y, y_moved, rep, dim) in enumerate(zip(expected, got, reps, dims)):
            target = _permute(transform(y, rep, matrix), dim, perm)
            tol = rtol if rtol is not None else _DEFAULT_RTOL.get(y.dtype, 1e-4)
            scale = target.abs().max().item() if target.numel() else 0.0
            error = (y_moved - target).abs().max().item() if target.numel() else 0.0
            relative = error / scale if scale > 0 else error
            worst = max(worst, relative)
            if not error <= tol * scale + atol:
                raise AssertionError(
                    f"output {index} ({rep}) is not equivariant in trial {trial}: max abs error "
                    f"{error:.3e}, relative {relative:.3e} > rtol {tol:.1e} (output scale {scale:.3e}, "
                    f"boost rapidity up to {max_rapidity}, discrete element {name})"
                )
    return worst


def assert_invariant(
    fn: Callable[..., torch.Tensor | Sequence[torch.Tensor]],
    inputs: Sequence[torch.Tensor],
    in_reps: Sequence[str],
    **kwargs,
) -> float:
    """Assert that every output of ``fn`` is a Lorentz scalar (see ``assert_equivariant``)."""
    return assert_equivariant(fn, inputs, in_reps, None, **kwargs)


def _discrete_elements(parity: bool, time_reversal: bool) -> list[tuple[str, torch.Tensor]]:
    """The discrete Lorentz elements the trials cycle through, named: those requested, then the
    identity."""
    p, t = parity_matrix(), time_reversal_matrix()
    elements = [("P", p)] * parity + [("T", t)] * time_reversal + [("PT", p @ t)] * (parity and time_reversal)
    return [*elements, ("1", torch.eye(4, dtype=torch.float64))]


def _split_particle_dims(particle_dims, out_particle_dims, n_inputs):
    if particle_dims is None:
        return (None,) * n_inputs, out_particle_dims
    particle_dims = tuple(particle_dims)
    if len(particle_dims) > n_inputs:
        if out_particle_dims is not None:
            raise ValueError("give output particle dims either in particle_dims or out_particle_dims")
        return particle_dims[:n_inputs], particle_dims[n_inputs:]
    if len(particle_dims) != n_inputs:
        raise ValueError(f"particle_dims has {len(particle_dims)} entries for {n_inputs} inputs")
    return particle_dims, out_particle_dims


def _draw_permutation(inputs, dims, generator) -> torch.Tensor | None:
    sizes = {
        x.shape[d]
        for x, entry in zip(inputs, dims)
        if entry is not None
        for d in ((entry,) if isinstance(entry, int) else entry)
    }
    if not sizes:
        return None
    if len(sizes) > 1:
        raise ValueError(f"particle axes of the inputs have different sizes {sorted(sizes)}")
    return torch.randperm(sizes.pop(), generator=generator)


def _permute(x: torch.Tensor, dim, perm: torch.Tensor | None) -> torch.Tensor:
    if dim is None or perm is None:
        return x
    for d in (dim,) if isinstance(dim, int) else dim:
        x = x.index_select(d, perm.to(x.device))
    return x


def _as_tuple(y) -> tuple[torch.Tensor, ...]:
    return tuple(y) if isinstance(y, (tuple, list)) else (y,)


def _check_last_dim(x: torch.Tensor, size: int, rep: str) -> None:
    if x.shape[-1] != size:
        raise ValueError(f"a {rep} must have last dimension {size}, got shape {tuple(x.shape)}")
