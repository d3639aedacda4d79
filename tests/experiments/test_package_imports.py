"""docs/architecture.md: no experiment package imports from a sibling (shared code lives in
``experiments/common`` or the library)."""

from __future__ import annotations

import ast
from pathlib import Path

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"
PACKAGES = sorted(p.name for p in EXPERIMENTS.iterdir() if (p / "__init__.py").is_file() and p.name != "common")


def test_no_experiment_package_imports_a_sibling():
    found = []
    for package in PACKAGES:
        for path in (EXPERIMENTS / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
                for name in names:
                    parts = name.split(".")
                    if parts[0] == "experiments" and len(parts) > 1 and parts[1] in PACKAGES and parts[1] != package:
                        found.append(f"{path.relative_to(EXPERIMENTS)} imports {name}")
    assert PACKAGES and not found, found
