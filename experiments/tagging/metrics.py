"""Classification metrics of taggers: accuracy, AUC and background rejection."""

from __future__ import annotations

import glob
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

JETCLASS_SIGNAL_EFFICIENCIES: dict[str, float] = {
    "Hbb": 0.5,
    "Hcc": 0.5,
    "Hgg": 0.5,
    "H4q": 0.5,
    "Hqql": 0.99,
    "Zqq": 0.5,
    "Wqq": 0.5,
    "Tbqq": 0.5,
    "Tbl": 0.995,
}
"""Signal efficiency eS at which the JetClass paper (arXiv:2202.03772) quotes the QCD
rejection of each signal class; the names are those of the JetClass files' ``label_*`` branches.
The two classes with a lepton are far easier to tell from QCD, hence 99% and 99.5%."""

BINARY_SIGNAL_EFFICIENCIES = (0.3, 0.5, 0.8)
"""eS of the rejections ``rej30``, ``rej50``, ``rej80`` of binary taggers."""

DEFAULT_SIGNAL_EFFICIENCY = 0.5
"""eS of the rejection of a signal class missing from :data:`JETCLASS_SIGNAL_EFFICIENCIES`."""


def rejection_at_efficiency(
    labels: np.ndarray,
    scores: np.ndarray,
    efficiencies: Sequence[float],
    sample_weight: np.ndarray | None = None,
) -> dict[float, float]:
    """Background rejection 1/eB at signal efficiencies eS, interpolating the ROC curve.

    Where a cut reaches eS exactly, eB is the smallest eB of such cuts (the ROC curve is flat in
    eS while background jets alone pass); between cuts, eB is interpolated linearly from the last
    cut below eS to the first one above it.

    Parameters
    ----------
    labels : np.ndarray with shape (N,)
        1 for signal, 0 for background.
    scores : np.ndarray with shape (N,)
        Larger means more signal-like.
    efficiencies : sequence of float
        Signal efficiencies eS in (0, 1].
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights: eS and eB are weighted fractions (the weighted ROC curve).

    Returns
    -------
    dict
        ``{eS: 1/eB}``; ``inf`` where eB is zero, ``nan`` where the signal or the background
        has no weight (the efficiencies are undefined).

    Examples
    --------
    >>> labels = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    >>> scores = np.array([0.9, 0.8, 0.6, 0.4, 0.7, 0.65, 0.3, 0.2])
    >>> rejection_at_efficiency(labels, scores, [0.5, 0.75])  # score > 0.75: eB = 0; > 0.5: eB = 2/4
    {0.5: inf, 0.75: 2.0}
    """
    from sklearn.exceptions import UndefinedMetricWarning  # sklearn loads in seconds: only when used
    from sklearn.metrics import roc_curve

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # a class without weight: nan, below
        background_eff, signal_eff, _ = roc_curve(labels, scores, sample_weight=sample_weight, drop_intermediate=False)
    rejections = {}
    for efficiency in efficiencies:
        eb = _background_efficiency(efficiency, signal_eff, background_eff)
        rejections[efficiency] = float("nan") if np.isnan(eb) else (1.0 / eb if eb > 0 else float("inf"))
    return rejections


def _background_efficiency(target: float, signal_eff: np.ndarray, background_eff: np.ndarray) -> float:
    """eB at signal efficiency ``target`` on a ROC curve ordered by decreasing cut (both
    efficiencies non-decreasing): the first cut reaching ``target``, interpolated from the cut
    before it when it passes more."""
    if not (np.isfinite(signal_eff).all() and np.isfinite(background_eff).all()):
        return float("nan")
    # weighted efficiencies are sums of float weights: a cut at exactly eS may come out 1e-16 below
    tolerance = 1e-12
    above = int(np.searchsorted(signal_eff, target - tolerance, side="left"))
    if above >= len(signal_eff):
        return float(background_eff[-1])
    if above == 0 or abs(signal_eff[above] - target) <= tolerance:
        return float(background_eff[above])
    below = above - 1
    slope = (background_eff[above] - background_eff[below]) / (signal_eff[above] - signal_eff[below])
    return float(background_eff[below] + (target - signal_eff[below]) * slope)


def binary_metrics(
    labels: np.ndarray,
    scores: np.ndarray,
    efficiencies: Sequence[float] = BINARY_SIGNAL_EFFICIENCIES,
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Accuracy (threshold 0.5), AUC and 1/eB at each eS.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), values 0 or 1
    scores : np.ndarray with shape (N,)
        Signal probabilities in [0, 1].
    efficiencies : sequence of float
        Signal efficiencies eS of the rejections.
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights (finite, >= 0): weighted accuracy, AUC and ROC curve.

    Returns
    -------
    dict
        ``accuracy``, ``auc`` and ``rej<100 eS>`` (e.g. ``rej30`` for eS = 0.3).
    """
    from sklearn.metrics import roc_auc_score  # sklearn loads in seconds: only when used

    _check_both_classes(labels)
    sample_weight = _check_weights(sample_weight, labels)
    metrics = {
        "accuracy": float(np.average((scores > 0.5) == (labels == 1), weights=sample_weight)),
        "auc": float(roc_auc_score(labels, scores, sample_weight=sample_weight)),
    }
    rejections = rejection_at_efficiency(labels, scores, efficiencies, sample_weight)
    for efficiency, rejection in rejections.items():
        metrics[rejection_name(efficiency)] = rejection
    return metrics


def multiclass_metrics(
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Accuracy, one-vs-rest AUC per class, their mean, and the JetClass paper's rejections.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), class indices
    probabilities : np.ndarray with shape (N, C)
    class_names : sequence of C str
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights (finite, >= 0): weighted accuracy and AUCs.

    Returns
    -------
    dict
        ``accuracy``, ``auc_<class>``, ``auc_macro`` and the rejections of class 0 at the
        signal efficiencies of :data:`JETCLASS_SIGNAL_EFFICIENCIES` (e.g. ``rej50_Hbb``; see
        :func:`background_rejections`); classes absent from ``labels`` are skipped.
    """
    from sklearn.metrics import roc_auc_score  # sklearn loads in seconds: only when used

    sample_weight = _check_weights(sample_weight, labels)
    metrics = {"accuracy": float(np.average(probabilities.argmax(axis=1) == labels, weights=sample_weight))}
    aucs = []
    for index, name in enumerate(class_names):
        is_class = labels == index
        if is_class.all() or not is_class.any():
            continue
        aucs.append(float(roc_auc_score(is_class, probabilities[:, index], sample_weight=sample_weight)))
        metrics[f"auc_{name}"] = aucs[-1]
    if aucs:
        metrics["auc_macro"] = float(np.mean(aucs))
    metrics.update(background_rejections(labels, probabilities, class_names, sample_weight=sample_weight))
    return metrics


def signal_versus_background_score(probabilities: np.ndarray, signal: int, background: int = 0) -> np.ndarray:
    """The JetClass paper's score of one signal class against the background, S / (S + B).

    Parameters
    ----------
    probabilities : np.ndarray with shape (N, C)
        Class probabilities.
    signal, background : int
        Class indices.

    Returns
    -------
    np.ndarray with shape (N,)
        ``p_signal / (p_signal + p_background)``; 0.5 where both probabilities are 0 (float
        underflow of a softmax confident in a third class).
    """
    numerator = probabilities[:, signal]
    denominator = numerator + probabilities[:, background]
    return np.divide(numerator, denominator, out=np.full_like(numerator, 0.5), where=denominator > 0)


def rejection_name(efficiency: float, class_name: str | None = None) -> str:
    """Metric name of a rejection, e.g. ``rej50_Hbb`` at eS = 0.5 or ``rej99.5_Tbl`` at 0.995, and
    ``rej30`` at 0.3 of a binary tagger (no class name)."""
    suffix = "" if class_name is None else f"_{class_name}"
    return f"rej{round(100 * efficiency, 6):g}{suffix}"


def tagging_metric_names(class_names: Sequence[str]) -> tuple[str, ...]:
    """Every name :func:`binary_metrics` (two classes) or :func:`multiclass_metrics` can return, as
    ``fnmatch`` patterns (``[``, ``*``, ``?`` of class names escaped)."""
    if len(class_names) == 2:
        return ("accuracy", "auc", *(rejection_name(e) for e in BINARY_SIGNAL_EFFICIENCIES))
    rejections = [
        rejection_name(JETCLASS_SIGNAL_EFFICIENCIES.get(n, DEFAULT_SIGNAL_EFFICIENCY), n) for n in class_names[1:]
    ]
    names = ("accuracy", *(f"auc_{name}" for name in class_names), "auc_macro", *rejections)
    return tuple(glob.escape(name) for name in names)


def background_rejections(
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    efficiencies: Mapping[str, float] = JETCLASS_SIGNAL_EFFICIENCIES,
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Rejection 1/eB of the background class (index 0, e.g. QCD) at a signal efficiency per class.

    Each signal class c is scored with S / (S + B) (:func:`signal_versus_background_score`) on
    the jets of class c and of the background only, and the ROC curve is interpolated at eS, as
    the JetClass paper does.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), class indices (0 = background)
    probabilities : np.ndarray with shape (N, C)
    class_names : sequence of C str
    efficiencies : mapping of str to float
        eS per class name; classes missing from it use :data:`DEFAULT_SIGNAL_EFFICIENCY`.
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights (finite, >= 0) of the efficiencies.

    Returns
    -------
    dict
        ``{rejection_name(eS, class): 1/eB}`` for every signal class with jets, when the
        background has jets (else empty); ``inf`` where no background jet passes.
    """
    sample_weight = _check_weights(sample_weight, labels)
    background = labels == 0
    metrics: dict[str, float] = {}
    if not background.any():
        return metrics
    for index, name in enumerate(class_names[1:], start=1):
        selected = background | (labels == index)
        if not (labels == index).any():
            continue
        efficiency = efficiencies.get(name, DEFAULT_SIGNAL_EFFICIENCY)
        rejection = rejection_at_efficiency(
            (labels[selected] == index).astype(np.int64),
            signal_versus_background_score(probabilities[selected], index),
            [efficiency],
            None if sample_weight is None else sample_weight[selected],
        )
        metrics[rejection_name(efficiency, name)] = rejection[efficiency]
    return metrics


def _check_both_classes(labels: np.ndarray) -> None:
    present = set(np.unique(labels).tolist())
    if present != {0, 1}:
        raise ValueError(f"binary metrics need labels 0 and 1 present, got classes {sorted(present)}")


def _check_weights(sample_weight: np.ndarray | None, labels: np.ndarray) -> np.ndarray | None:
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.shape != labels.shape:
        raise ValueError(f"sample_weight has shape {sample_weight.shape}, expected {labels.shape} like the labels")
    if not (np.isfinite(sample_weight).all() and (sample_weight >= 0).all() and sample_weight.sum() > 0):
        raise ValueError("sample_weight must be finite and >= 0 with a positive sum")
    return sample_weight
