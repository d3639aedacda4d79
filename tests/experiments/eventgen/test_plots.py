import re

import numpy as np
import pytest

from experiments.eventgen.plots import plot_observables


def test_plot_observables_writes_one_pdf_page_and_a_png(tmp_path):
    rng = np.random.default_rng(0)
    true = {"pt_b1": rng.exponential(50, 500) + 25, "phi_b1": rng.uniform(-3, 3, 500)}
    generated = {"pt_b1": rng.exponential(55, 400) + 25, "phi_b1": rng.uniform(-3, 3, 400)}
    generated["pt_b1"][0] = np.nan
    paths = plot_observables(true, generated, tmp_path / "sub" / "jets.pdf", n_bins=20)
    assert paths == [tmp_path / "sub" / "jets.pdf", tmp_path / "sub" / "jets.png"]
    content = paths[0].read_bytes()
    assert content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", content)) == 1
    assert paths[1].read_bytes().startswith(b"\x89PNG")


def test_generated_events_outside_the_plotted_range_show_as_a_deficit():
    """Half the generated W masses at 300 GeV, far outside the truth's range: the generated
    histogram holds half the area of the truth's (it was renormalised to the same area, and the
    ratio panel showed perfect agreement)."""
    from experiments.eventgen.plots import observable_histograms

    rng = np.random.default_rng(0)
    true = rng.normal(80.4, 2.0, 10000)
    generated = np.concatenate([rng.normal(80.4, 2.0, 5000), np.full(5000, 300.0)])
    bins = np.linspace(70.0, 90.0, 41)
    histograms = observable_histograms(true, generated, bins)
    widths = np.diff(bins)
    assert (histograms["truth"].values * widths).sum() > 0.99
    assert (histograms["generated"].values * widths).sum() == pytest.approx(0.5, abs=0.01)
