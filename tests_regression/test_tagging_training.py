"""Regression: the quick top-tagging setup learns real (Pythia) top vs QCD jets, and a reloaded
model reproduces its evaluation exactly.

Uses ``data/cache/toptagging_small.h5`` (generated with Pythia on first use, a few minutes) and
trains each tagger briefly on 8000 of its jets. Run with ``python -m pytest -q tests_regression``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests_regression.quick_run import REPO, run_quick

SMALL_NETS = {
    "transformer": [],
    "gatr": [
        "model.net.num_blocks=2",
        "model.net.hidden_mv_channels=8",
        "model.net.hidden_s_channels=16",
        "model.net.attention.num_heads=4",
    ],
}


def _run(tmp_path: Path, model: str, *extra: str) -> dict[str, float]:
    overrides = [
        f"data.path={REPO / 'data' / 'cache' / 'toptagging_small.h5'}",
        "data.max_jets=8000",
        "data.max_particles=40",
        "training.iterations=400",
        "training.validate_every=100",
        *SMALL_NETS[model],
        *extra,
    ]
    return run_quick("toptagging", tmp_path, model, *overrides)


@pytest.mark.parametrize("model", sorted(SMALL_NETS))
def test_quick_tagger_learns_and_reloads_exactly(tmp_path, model):
    metrics = _run(tmp_path, model)
    # Real top jets are separable: even a short training gets far from a random guess (0.5).
    assert metrics["test.auc"] > 0.85, metrics
    assert metrics["test.accuracy"] > 0.75, metrics
    assert metrics["test.rej30"] > 10, metrics
    assert _run(tmp_path, model, "train=false", "warm_start_idx=0") == metrics
