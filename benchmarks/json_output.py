"""Writing a benchmark's JSON results so that a reader never sees half a file."""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_json_atomic(path: Path, data: dict) -> None:
    """Write ``data`` as indented JSON to ``path`` through a temporary file and :func:`os.replace`.

    A benchmark that rewrites its results after every model can be killed by a time limit at any
    moment (``benchmarks/gpu_check.sh``): the file then holds the previous results, never a
    truncated one.

    Parameters
    ----------
    path : pathlib.Path
        The destination; its folder must exist.
    data : dict
        JSON-serialisable results.
    """
    tmp = path.with_name(f".{path.name}.tmp")  # same folder: the rename cannot cross file systems
    try:
        tmp.write_text(json.dumps(data, indent=2))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
