"""Which settings of two resolved configs differ, leaf by leaf."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def changed_leaves(before: Any, after: Any, sections: tuple[str, ...]) -> list[tuple[str, Any, Any]]:
    """``(dotted key, before, after)`` of the leaves of ``sections`` that both configs have and
    that differ (keys only one side has, e.g. added by a newer version, are left out)."""
    changes: list[tuple[str, Any, Any]] = []

    def walk(prefix: str, a: Any, b: Any) -> None:
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            for key in a.keys() & b.keys():
                walk(f"{prefix}.{key}" if prefix else str(key), a[key], b[key])
        elif a != b:
            changes.append((prefix, a, b))

    for section in sections:
        if section in before and section in after:
            walk(section, before[section], after[section])
    return sorted(changes)
