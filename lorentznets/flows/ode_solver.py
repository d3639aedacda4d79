"""Integration of ordinary differential equations: own fixed-step schemes or torchdiffeq."""

from collections.abc import Callable
from dataclasses import dataclass, fields

import torch

__all__ = ["SolverConfig", "odeint", "FIXED_STEP_METHODS", "SOLVER_METHODS"]

State = tuple[torch.Tensor, ...]
Dynamics = Callable[[torch.Tensor, State], State]

FIXED_STEP_METHODS = ("euler", "midpoint", "rk4")
# heun2 and heun3 need torchdiffeq >= 0.2.5
_TORCHDIFFEQ_FIXED_GRID = ("heun2", "heun3", "explicit_adams", "implicit_adams", "fixed_adams")
_TORCHDIFFEQ_ADAPTIVE = ("dopri5", "dopri8", "bosh3", "fehlberg2", "adaptive_heun")
SOLVER_METHODS = FIXED_STEP_METHODS + _TORCHDIFFEQ_ADAPTIVE + _TORCHDIFFEQ_FIXED_GRID
"""Every accepted ``SolverConfig.method``: ours, then torchdiffeq's adaptive and fixed-grid ones."""


@dataclass
class SolverConfig:
    """How to integrate the flow ODE.

    Parameters
    ----------
    method : str
        ``"euler"``, ``"midpoint"`` or ``"rk4"`` (own fixed-step schemes, ``steps`` steps), or an
        adaptive or fixed-grid method of ``torchdiffeq.odeint`` (e.g. ``"dopri5"``; all in
        :data:`SOLVER_METHODS`), which then uses ``rtol``/``atol`` (adaptive) or ``steps`` (its
        fixed-grid methods).
    steps : int
        Number of steps of the fixed-step schemes.
    rtol, atol : float
        Tolerances of adaptive torchdiffeq methods.
    """

    method: str = "rk4"
    steps: int = 20
    rtol: float = 1e-5
    atol: float = 1e-5

    @classmethod
    def cast(cls, config: "SolverConfig | dict | None") -> "SolverConfig":
        """Build from a dict (e.g. an OmegaConf node); an instance passes, None gives defaults."""
        if config is None:
            return cls()
        if isinstance(config, cls):
            return config
        names = {f.name for f in fields(cls)}
        unknown = set(config) - names
        if unknown:
            raise KeyError(f"SolverConfig: unknown keys {sorted(unknown)}; allowed: {sorted(names)}")
        return cls(**dict(config))

    def __post_init__(self):
        if self.steps < 1:
            raise ValueError(f"SolverConfig.steps must be >= 1, got {self.steps}")
        if self.method not in SOLVER_METHODS:
            raise ValueError(f"SolverConfig.method must be one of {', '.join(SOLVER_METHODS)}, got {self.method!r}")


def _add(state: State, rate: State, h: torch.Tensor) -> State:
    return tuple(s + h * r for s, r in zip(state, rate, strict=True))


def _fixed_step(func: Dynamics, y0: State, t0: float, t1: float, method: str, steps: int) -> State:
    ref = y0[0]
    h = torch.tensor((t1 - t0) / steps, dtype=ref.dtype, device=ref.device)
    y = y0
    for i in range(steps):
        t = torch.tensor(t0, dtype=ref.dtype, device=ref.device) + i * h
        if method == "euler":
            y = _add(y, func(t, y), h)
        elif method == "midpoint":
            k1 = func(t, y)
            y = _add(y, func(t + h / 2, _add(y, k1, h / 2)), h)
        else:
            k1 = func(t, y)
            k2 = func(t + h / 2, _add(y, k1, h / 2))
            k3 = func(t + h / 2, _add(y, k2, h / 2))
            k4 = func(t + h, _add(y, k3, h))
            y = tuple(s + h / 6 * (a + 2 * b + 2 * c + d) for s, a, b, c, d in zip(y, k1, k2, k3, k4, strict=True))
    return y


def odeint(func: Dynamics, y0: State, t0: float, t1: float, config: SolverConfig | dict | None = None) -> State:
    """Integrate ``dy/dt = func(t, y)`` from ``t0`` to ``t1``.

    Parameters
    ----------
    func : callable ``func(t, y) -> dy/dt``
        ``t`` a 0-dim tensor, ``y`` and the return value tuples of tensors of matching shapes.
    y0 : tuple of torch.Tensor
        State at ``t0``.
    t0, t1 : float
        Start and end time (``t1 < t0`` integrates backwards).
    config : SolverConfig or dict, optional

    Returns
    -------
    tuple of torch.Tensor
        State at ``t1``, shaped like ``y0``.
    """
    config = SolverConfig.cast(config)
    if config.method in FIXED_STEP_METHODS:
        return _fixed_step(func, y0, t0, t1, config.method, config.steps)
    import torchdiffeq

    ref = y0[0]
    times = torch.tensor([t0, t1], dtype=ref.dtype, device=ref.device)
    options = None
    if config.method in _TORCHDIFFEQ_FIXED_GRID:
        options = {"step_size": abs(t1 - t0) / config.steps}
    solution = torchdiffeq.odeint(
        func, y0, times, method=config.method, rtol=config.rtol, atol=config.atol, options=options
    )
    return tuple(s[-1] for s in solution)
