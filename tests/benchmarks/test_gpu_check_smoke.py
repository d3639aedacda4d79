"""``benchmarks/gpu_check.sh --cpu-smoke`` runs every step of the GPU check at tiny sizes and writes its summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_gpu_check_cpu_smoke_writes_a_passing_summary(tmp_path):
    result = subprocess.run(
        ["bash", "benchmarks/gpu_check.sh", "--cpu-smoke", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads((tmp_path / "gpu_check_summary.json").read_text())
    assert summary["cpu_smoke"] and summary["passed"]
    steps = [
        "gpu_tests",
        "bench_lorentznet_train",
        "bench_lorentznet_eval",
        "bench_lgn",
        "bench_lgatr",
        "bench_pelican",
        "throughput",
        "bench_input",
    ]
    assert [s["name"] for s in summary["steps"]] == steps
    models = {
        "gatr",
        "pelican",
        "lorentznet",
        "lgn",
        "transformer",
        "lloca_transformer",
        "lloca_part",
        "part",
        "particlenet",
        "lloca_particlenet",
    }
    assert {r["model"] for r in summary["throughput"]["results"]} == models
    assert all(r["jets_per_second"] > 0 for r in summary["throughput"]["results"])
    assert {r["format"] for r in summary["input_pipeline"]["results"]} >= {"lgatr_npz", "generated_h5"}
    markdown = (tmp_path / "gpu_check_summary.md").read_text()
    assert "| throughput | passed" in markdown and "## bench_lgatr" in markdown
    assert "ours (real pairs) vs official: throughput" in markdown
    assert set(summary["edge_list_ratios"]) == {"bench_lorentznet_train", "bench_lorentznet_eval", "bench_lgn"}
    assert all(summary["edge_list_ratios"].values())
    assert "- bench_lgn: ours (real pairs) vs ours (padded grid): throughput" in markdown
