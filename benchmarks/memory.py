"""Peak CPU memory of one call, for the benchmarks (Linux)."""

from __future__ import annotations

from collections.abc import Callable


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def first_call_peak_rss(fn: Callable[[], object]) -> float:
    """Peak resident-set growth in MiB during ``fn()``, meant for the first call in a fresh process.

    Later calls reuse memory that earlier ones freed, so measure each model in its own process.
    The high-water mark is reset through /proc/self/clear_refs first, because ``ru_maxrss``
    carries the parent's peak over a fork.
    """
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _status_mib("VmRSS")
    fn()
    return _status_mib("VmHWM") - before
