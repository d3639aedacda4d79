"""Tagging metrics: accuracy, AUC and interpolated background rejection."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from experiments.tagging.metrics import (
    JETCLASS_SIGNAL_EFFICIENCIES,
    background_rejections,
    binary_metrics,
    multiclass_metrics,
    rejection_at_efficiency,
    rejection_name,
    signal_versus_background_score,
)
from lorentznets.data.readers.jetclass_root import LABELS


def test_rejection_interpolates_the_roc_curve():
    # Scores 0..9: signal at 9, 7, 5, 3, background at 8, 6, 4, 2, 1, 0.
    scores = np.arange(10.0)
    labels = np.array([0, 0, 0, 1, 0, 1, 0, 1, 0, 1])
    # ROC points (eS, eB): (0.25, 0), (0.25, 1/6), (0.5, 1/6), (0.5, 2/6), (0.75, 2/6), ...
    # At eS = 0.3 the curve is at the vertical step eS = 0.25 -> 0.5, interpolated at eB = 1/6.
    rejection = rejection_at_efficiency(labels, scores, [0.3, 0.5, 0.625])
    assert rejection[0.3] == pytest.approx(6.0)
    # eS = 0.5 is reached exactly by the cut at score 5, which passes one background jet
    assert rejection[0.5] == pytest.approx(6.0)
    assert rejection[0.625] == pytest.approx(3.0)


def _brute_force_background_efficiency(labels, scores, weights, target):
    """eB at eS = target from every cut score >= t: the smallest eB of cuts reaching target
    exactly, else linear between the last cut below and the first above."""
    cuts = [
        (
            weights[(scores >= t) & (labels == 1)].sum() / weights[labels == 1].sum(),
            weights[(scores >= t) & (labels == 0)].sum() / weights[labels == 0].sum(),
        )
        for t in np.unique(scores)
    ] + [(0.0, 0.0)]
    exact = [eb for es, eb in cuts if np.isclose(es, target, rtol=0, atol=1e-12)]
    if exact:
        return min(exact)
    es_low, eb_low = max((c for c in cuts if c[0] < target), key=lambda c: (c[0], c[1]))
    es_high, eb_high = min((c for c in cuts if c[0] > target), key=lambda c: (c[0], c[1]))
    return eb_low + (target - es_low) * (eb_high - eb_low) / (es_high - es_low)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ties", [False, True])
def test_rejection_matches_every_cut_by_brute_force(weighted, ties):
    """Continuous scores: 40 signal jets reach eS = 0.3, 0.5 and 0.8 exactly (unweighted), and the
    background jets between two signal ones make the ROC curve flat there, where the smallest eB
    counts. Integer scores: ties of signal and background jets."""
    rng = np.random.default_rng(3)
    labels = np.repeat([1, 0], [40, 400])
    scores = rng.normal(labels.astype(float), 1.0)
    if ties:
        scores = np.round(4 * scores)
    weights = rng.uniform(0.5, 2.0, len(labels)) if weighted else np.ones(len(labels))
    targets = [0.3, 0.5, 0.8, 0.333]
    rejections = rejection_at_efficiency(labels, scores, targets, weights if weighted else None)
    for target in targets:
        eb = _brute_force_background_efficiency(labels, scores, weights, target)
        assert 1.0 / rejections[target] == pytest.approx(eb, rel=1e-12), target


@pytest.mark.parametrize("weight", [1.0, 0.3, 0.1])
def test_an_exact_hit_counts_with_uniform_weights_too(weight):
    """1000 signal jets, 100 background jets between the 500th and the 501st: eS = 0.5 is reached
    with no background. With a uniform weight of 0.3 the summed eS came out 0.4999..., and the
    flat stretch's largest eB was taken."""
    scores = np.concatenate([np.arange(1000, 0, -1.0), np.linspace(500.9, 500.1, 100)])
    labels = np.repeat([1, 0], [1000, 100])
    rejection = rejection_at_efficiency(labels, scores, [0.5], np.full(len(labels), weight))
    assert rejection[0.5] == float("inf")


def test_rejection_without_signal_weight_is_undefined():
    labels = np.array([1, 1, 0, 0])
    rejection = rejection_at_efficiency(labels, np.array([0.9, 0.2, 0.5, 0.1]), [0.3], np.array([0.0, 0.0, 1.0, 1.0]))
    assert np.isnan(rejection[0.3])


def test_perfect_and_random_taggers():
    labels = np.array([0, 1] * 500)
    perfect = binary_metrics(labels, labels * 0.8 + 0.1)
    assert perfect["accuracy"] == 1.0 and perfect["auc"] == 1.0
    assert perfect["rej30"] == float("inf")
    rng = np.random.default_rng(0)
    many = np.array([0, 1] * 50000)
    random = binary_metrics(many, rng.uniform(size=len(many)))
    assert abs(random["auc"] - 0.5) < 0.01
    assert random["rej50"] == pytest.approx(2.0, rel=0.03)
    assert set(random) == {"accuracy", "auc", "rej30", "rej50", "rej80"}


def test_binary_metrics_need_both_classes():
    with pytest.raises(ValueError, match=r"labels 0 and 1.*\[1\]"):
        binary_metrics(np.ones(4, dtype=int), np.full(4, 0.5))


def test_multiclass_metrics():
    labels = np.array([0, 1, 2, 0, 1, 2])
    probabilities = np.eye(3)[labels] * 0.7 + 0.1
    metrics = multiclass_metrics(labels, probabilities, ["a", "b", "c", "d"])
    assert metrics["accuracy"] == 1.0
    assert metrics["auc_a"] == metrics["auc_macro"] == 1.0
    assert "auc_d" not in metrics


def test_jetclass_efficiency_table_names_the_reader_classes():
    assert ["label_" + name for name in ["QCD", *JETCLASS_SIGNAL_EFFICIENCIES]] == list(LABELS)
    assert rejection_name(0.995, "Tbl") == "rej99.5_Tbl" and rejection_name(0.5, "Hbb") == "rej50_Hbb"


def test_signal_versus_background_score_is_s_over_s_plus_b():
    probabilities = np.array([[0.2, 0.6, 0.2], [0.5, 0.1, 0.4], [0.0, 0.0, 1.0]])
    score = signal_versus_background_score(probabilities, 1)
    assert score == pytest.approx([0.75, 1 / 6, 0.5])


def _rows(background: np.ndarray, scores: dict[int, np.ndarray], num_classes: int) -> np.ndarray:
    """Probabilities whose S/(S+B) against class 0 is ``scores[c]`` for class c (0 elsewhere):
    p_0 = 1, p_c = s / (1 - s), normalised (the ratio does not change)."""
    rows = np.zeros((len(background), num_classes))
    rows[:, 0] = 1
    for column, score in scores.items():
        rows[:, column] = score / (1 - score)
    return rows / rows.sum(axis=1, keepdims=True)


def test_background_rejections_on_hand_built_scores():
    names = ["QCD", *JETCLASS_SIGNAL_EFFICIENCIES]
    # Against Hbb (class 1): QCD at 0.05, 0.15, ..., 0.95; Hbb at 0.98, 0.92, 0.88, 0.87, 0.5.
    # The ROC passes (eS, eB) = (0.2, 0.1), (0.4, 0.1), (0.6, 0.1): eB(0.5) = 0.1, 1/eB = 10.
    # Against Tbl (class 9): QCD at 0.01 (9 jets) and 0.5; Tbl at 0.9 (198 jets) and 0.2 (2):
    # (0.99, 0.1) to (1, 0.1), so 1/eB = 10 at eS = 0.995; at 0.5, as for Hbb, it would be inf.
    qcd = _rows(np.zeros(10), {1: np.arange(0.05, 1.0, 0.1), 9: np.array([0.01] * 9 + [0.5])}, 10)
    hbb = _rows(np.zeros(5), {1: np.array([0.98, 0.92, 0.88, 0.87, 0.5])}, 10)
    tbl = _rows(np.zeros(200), {9: np.array([0.9] * 198 + [0.2] * 2)}, 10)
    labels = np.concatenate([np.zeros(10, int), np.ones(5, int), np.full(200, 9)])
    probabilities = np.concatenate([qcd, hbb, tbl])
    rejections = background_rejections(labels, probabilities, names)
    assert rejections == pytest.approx({"rej50_Hbb": 10.0, "rej99.5_Tbl": 10.0})
    # The whole multi-class report carries them next to the AUCs.
    assert multiclass_metrics(labels, probabilities, names)["rej99.5_Tbl"] == pytest.approx(10.0)
    # Other class names: eS from the given table, 0.5 for names missing from it.
    other = background_rejections(labels, probabilities, ["bkg", "b", *"cdefghi", "t"], {"t": 0.5})
    assert other == {"rej50_b": pytest.approx(10.0), "rej50_t": float("inf")}
    # Weights enter as multiplicities: the Hbb jet at 0.5 counted twice makes eS steps of 1/6.
    weights = np.ones(len(labels))
    weights[14] = 2
    weighted = background_rejections(labels, probabilities, names, sample_weight=weights)
    repeated = np.concatenate([np.arange(len(labels)), [14]])
    assert weighted == pytest.approx(background_rejections(labels[repeated], probabilities[repeated], names))


def test_background_rejections_without_background_jets_are_empty():
    labels = np.array([1, 2, 1, 2])
    assert background_rejections(labels, np.full((4, 3), 1 / 3), ["QCD", "a", "b"]) == {}


def test_per_class_roc_plot_has_each_auc_and_one_random_line(tmp_path):
    from matplotlib.figure import Figure

    from experiments.common.plot_style import hep_style
    from experiments.tagging.plots import draw_roc_per_class, plot_roc_per_class

    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, 300)
    labels[labels == 2] = 0  # class "c" has no jets: no curve
    probabilities = rng.dirichlet(np.ones(3), 300) + 0.5 * np.eye(3)[labels]
    names = ["QCD", "b", "c"]
    with hep_style():
        ax = Figure().subplots()
        areas = draw_roc_per_class(ax, labels, probabilities, names)
    selected = labels < 2
    expected = roc_auc_score(labels[selected], signal_versus_background_score(probabilities[selected], 1))
    assert areas == {"b": pytest.approx(expected, abs=1e-12)}
    assert ax.get_legend_handles_labels()[1] == [f"b vs QCD, AUC = {areas['b']:.4f}", "random, AUC = 0.5"]
    paths = plot_roc_per_class(labels, probabilities, names, tmp_path / "roc_test.pdf")
    assert [p.name for p in paths] == ["roc_test.pdf", "roc_test.png"] and all(p.is_file() for p in paths)
    assert plot_roc_per_class(np.ones(4, int), probabilities[:4], names, tmp_path / "none.pdf") == []


def test_confident_logits_keep_their_order_in_the_probabilities():
    """In float32 every logit above 16.6 is a signal probability of exactly 1: the ties lowered
    the rejections of confident taggers."""
    from types import SimpleNamespace

    import torch

    from experiments.tagging.experiment import TaggingExperiment

    logits = torch.tensor([[17.0], [20.0], [25.0]])
    binary = TaggingExperiment._probabilities(SimpleNamespace(is_binary=True), logits)
    assert binary.dtype == torch.float64 and len(set(binary[:, 1].tolist())) == 3
    multi = TaggingExperiment._probabilities(SimpleNamespace(is_binary=False), torch.tensor([[0.0, 17.0], [0.0, 20.0]]))
    assert multi[0, 1] < multi[1, 1] < 1.0


def test_the_roc_curve_passes_through_the_logged_rejections_with_tied_scores():
    """Three score levels: the ROC has few points, and straight lines between them on the log axis
    read 36.8 at eS = 0.3 where the logged rej30 was 13.6."""
    from matplotlib.figure import Figure

    from experiments.tagging.plots import draw_roc

    rng = np.random.default_rng(0)
    labels = np.repeat([1, 0], 1000)
    levels = np.array([0.2, 0.5, 0.9])
    scores = np.where(
        labels == 1, rng.choice(levels, 2000, p=[0.2, 0.3, 0.5]), rng.choice(levels, 2000, p=[0.6, 0.3, 0.1])
    )
    ax = Figure().subplots()
    draw_roc(ax, labels, scores)
    efficiency, rejection = ax.lines[0].get_data()
    logged = rejection_at_efficiency(labels, scores, [0.3, 0.6, 0.8])
    for target, value in logged.items():
        assert np.interp(target, efficiency, rejection) == pytest.approx(value, rel=1e-9)


def test_each_jetclass_signal_class_gets_its_own_colour():
    """The style's colour cycle has 6 colours: nine JetClass curves shared them in pairs."""
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from experiments.common.plot_style import hep_style
    from experiments.tagging.plots import draw_roc_per_class

    rng = np.random.default_rng(2)
    labels = np.arange(1000) % 10
    probabilities = rng.dirichlet(np.ones(10), 1000) + 0.5 * np.eye(10)[labels]
    with hep_style():
        ax = Figure().subplots()
        draw_roc_per_class(ax, labels, probabilities, [f"c{k}" for k in range(10)])
    curves = [line for line in ax.get_lines() if line.get_linestyle() != "--"]
    assert len(curves) == 9 and len({to_hex(line.get_color()) for line in curves}) == 9
