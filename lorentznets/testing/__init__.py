"""Test utilities shipped with the library, so users test their models as we test ours."""

from .equivariance import REPS, assert_equivariant, assert_invariant, transform

__all__ = ["REPS", "assert_equivariant", "assert_invariant", "transform"]
