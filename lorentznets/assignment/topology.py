"""Event topology from a SPANet event file (YAML): inputs, particles, products and symmetries."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import yaml

from .symmetry import Permutation, generate_group

FEATURE_TRANSFORMS = ("none", "log", "normalize", "log_normalize")


@dataclass(frozen=True)
class ParticleTopology:
    """A resonance and its decay products, e.g. ``t1 -> (q1, q2, b)``.

    Attributes
    ----------
    name : str
    products : tuple of str
    symmetries : tuple of permutations of the product positions (identity first)
    """

    name: str
    products: tuple[str, ...]
    symmetries: tuple[Permutation, ...]

    @property
    def num_products(self) -> int:
        return len(self.products)


@dataclass(frozen=True)
class EventTopology:
    """Everything an assignment model needs to know about an event file.

    Attributes
    ----------
    sequential_inputs : dict
        ``{input name: {feature: transform}}`` for per-jet inputs, e.g. ``Source``.
    global_inputs : dict
        ``{input name: {feature: transform}}`` for per-event inputs.
    particles : tuple of ParticleTopology
    event_symmetries : tuple of permutations of the particles (identity first)
    regressions, classifications : dict
        As written in the event file (may be empty).
    """

    sequential_inputs: dict
    global_inputs: dict
    particles: tuple[ParticleTopology, ...]
    event_symmetries: tuple[Permutation, ...]
    regressions: dict = field(default_factory=dict)
    classifications: dict = field(default_factory=dict)

    @property
    def particle_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.particles)

    @classmethod
    def from_dict(cls, spec: dict, source: str = "<dict>") -> EventTopology:
        """Build from the parsed YAML of a SPANet event file."""
        for key in ("INPUTS", "EVENT"):
            if key not in (spec or {}):
                raise KeyError(f"{source}: event file has no {key!r} section (found {sorted(spec or {})})")
        inputs = spec["INPUTS"] or {}
        sequential = _inputs(inputs.get("SEQUENTIAL"), source, "SEQUENTIAL")
        global_ = _inputs(inputs.get("GLOBAL"), source, "GLOBAL")
        if not sequential:
            raise ValueError(f"{source}: INPUTS/SEQUENTIAL must declare at least one jet input")
        event = spec["EVENT"]
        if not event:
            raise ValueError(f"{source}: EVENT declares no particles")
        perms = spec.get("PERMUTATIONS") or {}
        particles = tuple(
            ParticleTopology(name, tuple(products), generate_group(products, perms.get(name)))
            for name, products in event.items()
        )
        event_group = generate_group(list(event), perms.get("EVENT"))
        return cls(
            sequential,
            global_,
            particles,
            event_group,
            dict(spec.get("REGRESSIONS") or {}),
            dict(spec.get("CLASSIFICATIONS") or {}),
        )

    @classmethod
    def from_yaml(cls, path: str | os.PathLike) -> EventTopology:
        """Read a SPANet event file."""
        if not os.path.exists(path):
            raise FileNotFoundError(f"event file not found: {path}")
        with open(path) as handle:
            return cls.from_dict(yaml.safe_load(handle), str(path))


def _inputs(section, source: str, name: str) -> dict:
    out = {}
    for input_name, features in (section or {}).items():
        features = dict(features or {})
        for feature, transform in features.items():
            transform = "none" if transform is None else str(transform)
            if transform not in FEATURE_TRANSFORMS:
                raise ValueError(
                    f"{source}: INPUTS/{name}/{input_name}/{feature} has transform {transform!r}; "
                    f"choose from {FEATURE_TRANSFORMS}"
                )
            features[feature] = transform
        out[input_name] = features
    return out
