"""``benchmarks/gpu_check.sh`` and its summary: no run without CUDA, and an all-skipped test step is no pass."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from benchmarks.gpu_check_summary import step_status

REPO = Path(__file__).resolve().parents[2]
no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")


@pytest.mark.parametrize(
    ("rc", "last_line", "status"),
    [
        (0, "62 skipped in 6.20s", "skipped"),
        (0, "===== 2 skipped, 60 deselected in 0.51s (0:00:00) =====", "skipped"),
        (0, "3 passed, 59 skipped in 4.20s", "passed"),
        (0, "1 xfailed, 4 skipped in 1.00s", "passed"),
        (0, "ours (real pairs) vs official: throughput x2.10", "passed"),
        (1, "1 failed, 61 skipped in 9.00s", "failed"),
        (124, "12 skipped in 3.00s", "timed out"),
        (137, "", "timed out"),
    ],
)
def test_step_status(rc, last_line, status):
    assert step_status(rc, ["....", last_line]) == status


def _fake_run(outdir: Path) -> None:
    logs = outdir / "logs"
    logs.mkdir(parents=True)
    (logs / "gpu_tests.log").write_text("ssss\n4 skipped in 0.10s\n")
    (logs / "bench_lgn.log").write_text("repeat 1: ...\nours (real pairs) vs ours (padded grid): throughput x2.40\n")
    steps = ["gpu_tests\t0\t1\tpython -m pytest", "bench_lgn\t0\t2\tpython benchmarks/bench_lorentznet.py --net lgn"]
    (logs / "steps.tsv").write_text("\n".join(steps) + "\n")


@pytest.mark.parametrize(("smoke", "rc"), [(False, 1), (True, 0)])
def test_summary_counts_an_all_skipped_step_as_a_pass_only_in_the_smoke_run(tmp_path, smoke, rc):
    _fake_run(tmp_path)
    command = [sys.executable, "benchmarks/gpu_check_summary.py", str(tmp_path), *(["--cpu-smoke"] if smoke else [])]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == rc, result.stdout + result.stderr
    summary = json.loads((tmp_path / "gpu_check_summary.json").read_text())
    assert [s["status"] for s in summary["steps"]] == ["skipped", "passed"]
    assert summary["passed"] is smoke
    markdown = (tmp_path / "gpu_check_summary.md").read_text()
    assert "| gpu_tests | skipped (exit 0) |" in markdown
    ratio = "ours (real pairs) vs ours (padded grid): throughput x2.40"
    assert summary["edge_list_ratios"] == {"bench_lgn": [ratio]}
    assert f"- bench_lgn: {ratio}" in markdown


@no_cuda
def test_gpu_check_stops_at_once_without_cuda(tmp_path):
    outdir = tmp_path / "out"
    result = subprocess.run(
        ["bash", "benchmarks/gpu_check.sh", str(outdir)], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert "no CUDA device" in result.stderr and "--cpu-smoke" in result.stderr
    assert not outdir.exists()


@no_cuda
def test_a_cuda_benchmark_refuses_without_cuda():
    result = subprocess.run(
        [sys.executable, "benchmarks/bench_lorentznet.py", "--device", "cuda"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert "--device cuda: no CUDA device" in result.stderr
