"""Toy ttbar events for tests (:func:`lorentznets.testing.synthetic_files.make_ttbar_events`):
real t -> b W -> b q q decay kinematics, acceptance cuts applied."""

from lorentznets.testing.synthetic_files import make_ttbar_events

__all__ = ["make_ttbar_events"]
