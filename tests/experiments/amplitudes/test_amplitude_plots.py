"""Amplitude figures at the edges: small splits."""

import numpy as np

from experiments.amplitudes.plots import (
    RELATIVE_ERROR_FLOOR,
    plot_error_vs_variable,
    plot_relative_error,
    relative_error_histogram,
)


def test_error_vs_variable_has_points_or_no_file(tmp_path):
    rng = np.random.default_rng(0)
    pt, errors = rng.uniform(20, 200, 300), rng.uniform(1e-4, 1e-2, 300)
    paths = plot_error_vs_variable(pt, errors, tmp_path / "many.pdf", "pT [GeV]")
    assert [p.name for p in paths] == ["many.pdf", "many.png"]
    # 10 events: no bin would hold two; an empty figure with a meaningless axis was written
    assert plot_error_vs_variable(pt[:10], errors[:10], tmp_path / "few.pdf", "pT [GeV]") == []
    assert not (tmp_path / "few.pdf").exists()


def test_relative_error_histogram_holds_every_event(tmp_path):
    """Errors below 1e-6 were clipped to 1e-8, below the first edge: 100 events in, 50 drawn."""
    errors = np.concatenate([np.full(50, 1e-7), [0.0], np.full(49, 1e-2), [25.0]])
    histogram = relative_error_histogram(errors)
    assert histogram.edges[0] == RELATIVE_ERROR_FLOOR and histogram.edges[-1] == 25.0
    assert histogram.values.sum() == len(errors)
    assert histogram.values[0] == 51 and histogram.values[-1] == 1
    assert [p.name for p in plot_relative_error(errors, tmp_path / "rel.pdf")] == ["rel.pdf", "rel.png"]
