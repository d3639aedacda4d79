"""Test utilities shipped with the library, so users test their models as we test ours."""

from .device_sync import assert_never_synchronises
from .equivariance import REPS, assert_equivariant, assert_invariant, transform

__all__ = ["REPS", "assert_equivariant", "assert_invariant", "assert_never_synchronises", "transform"]
