import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import roc_auc_score

from experiments.common.plot_style import (
    draw_histograms_with_ratio,
    hep_style,
    ratio,
    save_figure,
    weighted_histogram,
)
from experiments.tagging.plots import draw_roc


def test_save_figure_writes_pdf_and_png(tmp_path):
    with hep_style():
        fig = Figure()
        fig.subplots().plot([0, 1], [0, 1])
        paths = save_figure(fig, tmp_path / "sub" / "line.pdf")
    assert paths == [tmp_path / "sub" / "line.pdf", tmp_path / "sub" / "line.png"]
    assert paths[0].read_bytes().startswith(b"%PDF")
    assert paths[1].read_bytes().startswith(b"\x89PNG")


def test_roc_legend_has_the_weighted_auc_and_the_random_line():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 400)
    scores = rng.normal(labels, 1.0)
    weights = rng.uniform(0.5, 2.0, 400)
    with hep_style():
        ax = Figure().subplots()
        area = draw_roc(ax, labels, scores, sample_weight=weights, label="net")
    assert area == pytest.approx(roc_auc_score(labels, scores, sample_weight=weights), abs=1e-12)
    _, legend = ax.get_legend_handles_labels()
    assert legend == [f"net, AUC = {area:.4f}", "random, AUC = 0.5"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == legend
    random_line = ax.get_lines()[1]
    np.testing.assert_allclose(random_line.get_ydata(), 1.0 / random_line.get_xdata())


def test_weighted_histogram_errors_are_sqrt_of_summed_squared_weights():
    values = np.array([0.5, 0.6, 1.5, 1.7, 1.9, 2.5])
    weights = np.array([1.0, 2.0, 0.5, 0.5, 3.0, 4.0])
    histogram = weighted_histogram(values, np.array([0.0, 1.0, 2.0]), weights)
    np.testing.assert_array_equal(histogram.values, [3.0, 4.0])
    np.testing.assert_allclose(histogram.errors, [np.sqrt(1 + 4), np.sqrt(0.25 + 0.25 + 9)])
    unweighted = weighted_histogram(values, np.array([0.0, 1.0, 2.0]))
    np.testing.assert_allclose(unweighted.errors, [np.sqrt(2), np.sqrt(3)])


def test_density_and_ratio_scale_values_and_errors_together():
    histogram = weighted_histogram(np.array([0.5, 0.5, 1.5, 1.5, 1.5, 1.5]), np.array([0.0, 1.0, 3.0]))
    density = histogram.density()
    np.testing.assert_allclose(density.values, [2 / 6, 4 / 6 / 2])
    np.testing.assert_allclose(density.errors, [np.sqrt(2) / 6, 2 / 6 / 2])
    empty = weighted_histogram(np.array([0.5]), np.array([0.0, 1.0, 3.0]))
    value, error = ratio(histogram, empty)
    np.testing.assert_allclose(value, [2.0, np.nan])
    np.testing.assert_allclose(error, [np.sqrt(2), np.nan])


def test_ratio_panel_shows_reference_band_and_ratio_points(tmp_path):
    bins = np.linspace(0.0, 1.0, 5)
    truth = weighted_histogram(np.array([0.1, 0.1, 0.3, 0.6, 0.9, 0.9]), bins)
    generated = weighted_histogram(np.array([0.1, 0.3, 0.3, 0.6, 0.9]), bins)
    with hep_style():
        fig = Figure()
        ax_main, ax_ratio = fig.subplots(2, 1, sharex=True)
        draw_histograms_with_ratio(ax_main, ax_ratio, {"truth": truth, "generated": generated}, "truth", "x")
        assert [t.get_text() for t in ax_main.get_legend().get_texts()] == ["truth", "generated"]
        points = ax_ratio.containers[0]
        np.testing.assert_allclose(points.lines[0].get_ydata(), [0.5, 2.0, 1.0, 0.5])
        assert save_figure(fig, tmp_path / "h.pdf")[1].stat().st_size > 1000
