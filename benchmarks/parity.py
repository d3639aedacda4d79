"""The output parity a benchmark requires of two nets with the same weights before it times them."""

from __future__ import annotations

import sys

#: Largest |output difference| allowed, relative to the largest |reference output|. float32: the
#: compared nets round differently (other summation orders, fused or packed kernels); measured
#: 4e-7 (ParT), 3e-7 (ParticleNet), 7e-7 (LLoCa-ParT) on CPU, so 1e-4 leaves room for deeper nets and
#: GPU kernels while a wrong weight or mask (differences of order 1) fails. bf16 autocast keeps 8
#: significand bits (unit roundoff 3.9e-3) and 12 L-GATr blocks accumulate it: at the paper size on
#: CPU (4 jets) ours differed from lgatr by 1.2e-2 of the largest output and lgatr packed from lgatr
#: padded by 4.5e-3, so 1e-1 (not measured on a GPU).
RELATIVE_TOLERANCE = {"float32": 1e-4, "bf16": 1e-1}


def require_parity(worst: float, scale: float, what: str, precision: str = "float32") -> None:
    """Exit 1 with one line when two nets' outputs differ by more than rounding.

    Parameters
    ----------
    worst : float
        Largest |output difference|.
    scale : float
        Largest |reference output|.
    what : str
        The compared nets, named in the message.
    precision : str
        ``"float32"`` or ``"bf16"`` (a key of :data:`RELATIVE_TOLERANCE`).
    """
    tolerance = RELATIVE_TOLERANCE[precision] * scale
    if not worst <= tolerance:  # also refuses NaN
        sys.exit(
            f"{what}: outputs differ by {worst:.3g}, above the {precision} tolerance {tolerance:.3g} "
            f"({RELATIVE_TOLERANCE[precision]:g} x largest |output| {scale:.3g}); not timing nets that compute "
            "different functions"
        )
