"""``benchmarks/bench_pelican.py`` reports the clock that measures the work first."""

from __future__ import annotations

import pytest

from benchmarks.bench_pelican import clocks


@pytest.mark.parametrize(("device", "first"), [("cuda", "wall"), ("cpu", "CPU")])
def test_the_clock_that_measures_the_work_comes_first(device, first):
    cpu, wall = {"lorentznets": 0.1}, {"lorentznets": 0.2}
    order = clocks(device, cpu, wall)
    assert [clock for clock, _ in order][0] == first
    assert dict(order) == {"CPU": cpu, "wall": wall}
