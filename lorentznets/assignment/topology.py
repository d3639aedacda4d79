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
    sources : tuple of (str or None)
        The SEQUENTIAL input each product's target index points into (SPANet's ``{b: Jets}``
        product notation); None: the first SEQUENTIAL input.
    """

    name: str
    products: tuple[str, ...]
    symmetries: tuple[Permutation, ...]
    sources: tuple[str | None, ...] = ()

    @property
    def num_products(self) -> int:
        return len(self.products)

    def source_of(self, position: int) -> str | None:
        """The SEQUENTIAL input of product ``position`` (None: the first one)."""
        return self.sources[position] if self.sources else None


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
    source : str
        Where the topology was read from (the event file's path), for error messages; not compared.
    """

    sequential_inputs: dict
    global_inputs: dict
    particles: tuple[ParticleTopology, ...]
    event_symmetries: tuple[Permutation, ...]
    regressions: dict = field(default_factory=dict)
    classifications: dict = field(default_factory=dict)
    source: str = field(default="<dict>", compare=False)

    @property
    def particle_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.particles)

    @property
    def clusters(self) -> tuple[tuple[int, ...], ...]:
        """Orbits of the event symmetry group: sets of interchangeable particles (sorted indices),
        e.g. ``((0, 1), (2,))`` for ``t1 <-> t2`` and a Higgs."""
        orbits = {tuple(sorted({perm[p] for perm in self.event_symmetries})) for p in range(len(self.particles))}
        return tuple(sorted(orbits))

    @property
    def num_products(self) -> int:
        """Total number of decay products of all particles (the fewest vectors a full event has)."""
        return sum(p.num_products for p in self.particles)

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
            _particle(name, products, perms.get(name), sequential, source) for name, products in event.items()
        )
        try:
            event_group = generate_group(list(event), perms.get("EVENT"))
        except ValueError as error:
            raise ValueError(f"{source}: PERMUTATIONS/EVENT: {error}") from None
        exchanged = {(min(p, q), max(p, q)) for perm in event_group for p, q in enumerate(perm) if p != q}
        for p, q in sorted(exchanged):
            _check_exchangeable(particles[p], particles[q], perms, source)
        return cls(
            sequential,
            global_,
            particles,
            event_group,
            dict(spec.get("REGRESSIONS") or {}),
            dict(spec.get("CLASSIFICATIONS") or {}),
            source,
        )

    @classmethod
    def from_yaml(cls, path: str | os.PathLike) -> EventTopology:
        """Read a SPANet event file."""
        if not os.path.exists(path):
            raise FileNotFoundError(f"event file not found: {path}")
        with open(path) as handle:
            try:
                spec = yaml.safe_load(handle)
            except yaml.YAMLError as error:
                problem = " ".join(str(error).split())
                raise ValueError(f"{path}: not a readable event file (YAML): {problem}") from None
        if spec is not None and not isinstance(spec, dict):
            raise ValueError(f"{path}: an event file is a YAML mapping (INPUTS, EVENT, ...), got {type(spec).__name__}")
        return cls.from_dict(spec, str(path))


def _check_exchangeable(first: ParticleTopology, second: ParticleTopology, perms: dict, source: str) -> None:
    """Refuse an EVENT permutation that exchanges particles whose products differ.

    Targets, losses and metrics compare the products of exchanged particles position by position
    under the product symmetries of the particle predicted, so both particles need as many
    products, from the same inputs, with the same symmetries; products named alike must also
    stand in the same order (``t1: [q1, q2, b]`` with ``t2: [b, q1, q2]`` would pair t1's q1 with
    t2's b). Products named differently (``h1: [a1, a2]``, ``h2: [b1, b2]``) pair by position.
    """
    prefix = f"{source}: PERMUTATIONS/EVENT exchanges {first.name} and {second.name}"
    shared = set(first.products) & set(second.products)
    moved = any(first.products.index(name) != second.products.index(name) for name in shared)
    if len(first.products) != len(second.products) or moved:
        raise ValueError(
            f"{prefix}, which have different decay products (EVENT/{first.name}: {list(first.products)}, "
            f"EVENT/{second.name}: {list(second.products)}); exchanged particles must have as many products, and "
            "products named alike in the same order"
        )
    if first.sources != second.sources:
        inputs = [
            [f"{name}: {p.source_of(i) or 'first input'}" for i, name in enumerate(p.products)] for p in (first, second)
        ]
        raise ValueError(f"{prefix}, whose products come from different inputs ({inputs[0]} vs {inputs[1]})")
    if first.symmetries != second.symmetries:
        raise ValueError(
            f"{prefix}, which have different product symmetries (PERMUTATIONS/{first.name}: "
            f"{perms.get(first.name) or []}, PERMUTATIONS/{second.name}: {perms.get(second.name) or []}); "
            "exchanged particles must have the same product permutations"
        )


def _particle(name: str, products, generators, sequential: dict, source: str) -> ParticleTopology:
    """A particle from its EVENT entry: products are names or ``{name: SEQUENTIAL input}``."""
    if not products:
        raise ValueError(f"{source}: EVENT/{name} declares no decay products")
    names, sources = [], []
    for product in products:
        if isinstance(product, dict) and len(product) == 1:
            product, input_name = next(iter(product.items()))
            if input_name not in sequential:
                raise ValueError(
                    f"{source}: EVENT/{name}/{product} points to input {input_name!r}, which is not a "
                    f"SEQUENTIAL input ({sorted(sequential)})"
                )
            sources.append(str(input_name))
        elif isinstance(product, str):
            sources.append(None)
        else:
            raise ValueError(f"{source}: EVENT/{name}: a product is a name or {{name: input}}, got {product!r}")
        names.append(str(product))
    if len(set(names)) != len(names):
        raise ValueError(f"{source}: EVENT/{name} names a product twice: {names}")
    # Products of the first input are stored as None so that files without sources compare equal.
    first = next(iter(sequential))
    resolved = tuple(None if s in (None, first) else s for s in sources)
    try:
        group = generate_group(names, generators)
    except ValueError as error:
        raise ValueError(f"{source}: PERMUTATIONS/{name}: {error}") from None
    for perm in group:
        swapped = [(names[i], names[j]) for i, j in enumerate(perm) if resolved[i] != resolved[j]]
        if swapped:
            raise ValueError(f"{source}: PERMUTATIONS/{name} exchanges {swapped[0]}, which come from different inputs")
    return ParticleTopology(name, tuple(names), group, resolved if any(resolved) else ())


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
