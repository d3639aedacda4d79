"""Event-level regression and classification targets declared in a SPANet event file.

SPANet's event YAML declares them per group, and the HDF5 file stores one (events,) dataset
per target under the same path::

    REGRESSIONS:
      EVENT: [m_tt, [neutrino_eta, gaussian], {met: laplacian}]   # REGRESSIONS/EVENT/<name>
      t1:
        PARTICLE: [mass]                                          # REGRESSIONS/t1/PARTICLE/mass
        b: [pt]                                                   # REGRESSIONS/t1/b/pt
    CLASSIFICATIONS:
      EVENT: [signal]                                             # CLASSIFICATIONS/EVENT/signal

A particle may also hold a plain list (``t1: [mass]`` -> ``REGRESSIONS/t1/mass``). A regression
entry is a name (type ``gaussian``), ``[name, type]`` or ``{name: type}``; the types are SPANet's:
``gaussian`` (squared error), ``laplacian`` (absolute error) and ``log_gaussian`` (squared error
of the signed logarithm asinh(x / 2), for targets spanning orders of magnitude). Particle- and
product-level targets are treated like event-level ones here: one value per event.
"""

from __future__ import annotations

from dataclasses import dataclass

from .topology import EventTopology

REGRESSION_TYPES = ("gaussian", "laplacian", "log_gaussian")
LOG_REGRESSION_TYPES = ("log_gaussian",)
EVENT_GROUP = "EVENT"
PARTICLE_GROUP = "PARTICLE"


@dataclass(frozen=True)
class RegressionTarget:
    """One regression target.

    Attributes
    ----------
    key : str
        Path under ``REGRESSIONS`` in the HDF5 file, e.g. ``"EVENT/m_tt"``.
    kind : str
        ``"gaussian"`` (squared error), ``"laplacian"`` (absolute error) or ``"log_gaussian"``
        (squared error of asinh(x / 2)).
    """

    key: str
    kind: str = "gaussian"


def _regression_entry(entry, where: str) -> tuple[str, str]:
    if isinstance(entry, str):
        return entry, "gaussian"
    if isinstance(entry, (list, tuple)) and len(entry) == 2:
        return str(entry[0]), str(entry[1])
    if isinstance(entry, dict) and len(entry) == 1:
        name, kind = next(iter(entry.items()))
        return str(name), "gaussian" if kind is None else str(kind)
    raise ValueError(f"event file {where}: a regression is a name, [name, type] or {{name: type}}, got {entry!r}")


def _classification_entry(entry, where: str) -> tuple[str, None]:
    if not isinstance(entry, str):
        raise ValueError(f"event file {where}: a classification is a name, got {entry!r}")
    return entry, None


def _walk(section: dict, topology: EventTopology, root: str, parse) -> list[tuple[str, str | None]]:
    """``(key, type)`` for every entry of a REGRESSIONS/CLASSIFICATIONS section, in file order."""
    particles = {p.name: p for p in topology.particles}
    leaves: list[tuple[str, list]] = []
    for group, content in (section or {}).items():
        if content is None:
            continue
        if group != EVENT_GROUP and group not in particles:
            raise ValueError(
                f"event file {root}: unknown group {group!r}; use {EVENT_GROUP} or a particle ({sorted(particles)})"
            )
        if isinstance(content, dict) and group != EVENT_GROUP:
            allowed = (PARTICLE_GROUP, *particles[group].products)
            for sub, entries in content.items():
                if sub not in allowed:
                    raise ValueError(f"event file {root}/{group}: unknown group {sub!r}; use one of {list(allowed)}")
                leaves.append((f"{group}/{sub}", entries or []))
        elif isinstance(content, list):
            leaves.append((group, content))
        else:
            raise ValueError(f"event file {root}/{group}: expected a list of targets, got {content!r}")
    out, seen = [], set()
    for prefix, entries in leaves:
        if not isinstance(entries, list):
            raise ValueError(f"event file {root}/{prefix}: expected a list of targets, got {entries!r}")
        for entry in entries:
            name, kind = parse(entry, f"{root}/{prefix}")
            key = f"{prefix}/{name}"
            if key in seen:
                raise ValueError(f"event file {root}: target {key!r} is declared twice")
            seen.add(key)
            out.append((key, kind))
    return out


def regression_targets(topology: EventTopology) -> tuple[RegressionTarget, ...]:
    """The regression targets of an event file, in declaration order."""
    targets = []
    for key, kind in _walk(topology.regressions, topology, "REGRESSIONS", _regression_entry):
        if kind not in REGRESSION_TYPES:
            raise ValueError(f"event file REGRESSIONS/{key}: type {kind!r} is not supported; use {REGRESSION_TYPES}")
        targets.append(RegressionTarget(key, kind))
    return tuple(targets)


def classification_targets(topology: EventTopology) -> tuple[str, ...]:
    """Keys (paths under ``CLASSIFICATIONS``) of the classification targets, in declaration order."""
    return tuple(key for key, _ in _walk(topology.classifications, topology, "CLASSIFICATIONS", _classification_entry))
