"""Amplitude figures at the edges: small splits."""

import numpy as np

from experiments.amplitudes.plots import plot_error_vs_variable


def test_error_vs_variable_has_points_or_no_file(tmp_path):
    rng = np.random.default_rng(0)
    pt, errors = rng.uniform(20, 200, 300), rng.uniform(1e-4, 1e-2, 300)
    paths = plot_error_vs_variable(pt, errors, tmp_path / "many.pdf", "pT [GeV]")
    assert [p.name for p in paths] == ["many.pdf", "many.png"]
    # 10 events: no bin would hold two; an empty figure with a meaningless axis was written
    assert plot_error_vs_variable(pt[:10], errors[:10], tmp_path / "few.pdf", "pT [GeV]") == []
    assert not (tmp_path / "few.pdf").exists()
