"""``lorentznets.frames`` sits below the layers and nets: none of its modules imports upward (the
padding helpers it shares with the nets live in ``lorentznets.utils``)."""

import ast
from pathlib import Path

import lorentznets.frames

UPPER = ("layers", "nets", "assignment", "flows", "interface", "compat", "experiments")


def test_frames_import_nothing_above_them():
    upward = []
    for path in sorted(Path(lorentznets.frames.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                parts = module.lstrip(".").split(".")
                absolute = module.startswith("lorentznets.") or module.startswith("experiments")
                parent = node.level >= 2 or absolute
                if parent and parts[1 if absolute and parts[0] == "lorentznets" else 0] in UPPER:
                    upward.append(f"{path.name}: {module}")
            elif isinstance(node, ast.Import):
                upward += [f"{path.name}: {a.name}" for a in node.names if a.name.split(".")[:2][-1] in UPPER]
    assert upward == []
