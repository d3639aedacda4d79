"""Write gpu_check_summary.md and gpu_check_summary.json from the logs of benchmarks/gpu_check.sh.

Usage: ``python benchmarks/gpu_check_summary.py OUTDIR [--cpu-smoke]``; exits 1 unless every
step passed (a pytest step whose tests all skipped is ``skipped``, a pass only in the CPU smoke run).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import sys
from pathlib import Path

import torch

#: Lines of each step's log kept in the summary (its figures; the full log stays in logs/).
TAIL_LINES = 25


#: pytest's last line, e.g. ``62 skipped in 6.20s`` or ``== 3 passed, 1 skipped in 2.1s (0:00:02) ==``.
_PYTEST_TOTALS = re.compile(r"^=*\s*((?:\d+ [a-z]+(?:, )?)+) in [\d.]+s\b")


def step_status(rc: int, log: list[str]) -> str:
    """``passed``, ``skipped`` (a pytest run that skipped every test), ``timed out`` or ``failed``.

    A pytest step whose tests all skip exits 0 without having checked anything (on a machine
    without CUDA every ``gpu`` test skips): it is not a pass.

    Parameters
    ----------
    rc : int
        The step's exit status (124 or 137: killed by its time limit).
    log : list of str
        The lines of the step's log.
    """
    if rc in (124, 137):
        return "timed out"
    if rc != 0:
        return "failed"
    totals = next((m.group(1) for line in reversed(log) if (m := _PYTEST_TOTALS.match(line.strip()))), None)
    if totals is not None:
        counts = {kind: int(n) for n, kind in (item.split() for item in totals.split(", "))}
        ran = sum(n for kind, n in counts.items() if kind not in ("skipped", "deselected", "warning", "warnings"))
        if counts.get("skipped", 0) and not ran:
            return "skipped"
    return "passed"


def _steps(outdir: Path) -> list[dict]:
    steps = []
    for line in (outdir / "logs" / "steps.tsv").read_text().splitlines():
        name, rc, seconds, command = line.split("\t", 3)
        log = (outdir / "logs" / f"{name}.log").read_text(errors="replace").splitlines()
        status = step_status(int(rc), log)
        steps.append(
            {
                "name": name,
                "status": status,
                "exit_code": int(rc),
                "seconds": int(seconds),
                "command": command,
                "log_tail": log[-TAIL_LINES:],
            }
        )
    return steps


def edge_list_ratios(steps: list[dict]) -> dict[str, list[str]]:
    """The ratio lines of the bench_lorentznet steps (LorentzNet and LGN, issue 21), per step.

    Parameters
    ----------
    steps : list of dict
        As :func:`_steps` gives them.

    Returns
    -------
    dict of str to list of str
        Step name to its ``ours (real pairs) vs ...: throughput x..`` lines (none if it failed early).
    """
    return {
        step["name"]: [line for line in step["log_tail"] if line.startswith("ours (real pairs) vs ")]
        for step in steps
        if step["command"].startswith("python benchmarks/bench_lorentznet.py")
    }


def _json_or_none(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.exists() else None


def _markdown(summary: dict) -> str:
    lines = [
        f"# GPU check{' (CPU smoke run)' if summary['cpu_smoke'] else ''}",
        "",
        f"{summary['date']} | {summary['device']} | torch {summary['torch']} | python {summary['python']} | "
        f"load {summary['load']:.1f}",
        "",
        "| step | status | seconds |",
        "|---|---|---|",
    ]
    lines += [f"| {s['name']} | {s['status']} (exit {s['exit_code']}) | {s['seconds']} |" for s in summary["steps"]]
    if summary["edge_list_ratios"]:
        lines += ["", "## LorentzNet and LGN: real pairs against the official and padded-grid computations", ""]
        for name, ratios in summary["edge_list_ratios"].items():
            lines += [f"- {name}: " + ("; ".join(ratios) if ratios else "no figures (see its log)")]
    throughput = summary.get("throughput")
    if throughput:
        lines += ["", f"## Training throughput (bf16={throughput['bf16']})", ""]
        lines += ["| model | parameters | jets/s | peak memory (MiB) |", "|---|---|---|---|"]
        for r in throughput["results"]:
            memory = "-" if r["peak_memory_mib"] is None else f"{r['peak_memory_mib']:.0f}"
            lines.append(f"| {r['model']} | {r['parameters']} | {r['jets_per_second']:.1f} | {memory} |")
    for step in summary["steps"]:
        lines += ["", f"## {step['name']}", "", f"`{step['command']}`", "", "```", *step["log_tail"], "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--cpu-smoke", action="store_true")
    args = parser.parse_args()
    logs = args.outdir / "logs"
    summary = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_smoke": args.cpu_smoke,
        "device": torch.cuda.get_device_name() if torch.cuda.is_available() else f"CPU ({platform.machine()})",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "load": os.getloadavg()[0],
        "steps": _steps(args.outdir),
        "throughput": _json_or_none(logs / "throughput.json"),
        "input_pipeline": _json_or_none(logs / "input.json"),
    }
    summary["edge_list_ratios"] = edge_list_ratios(summary["steps"])
    # the CPU smoke run hides CUDA, so there its gpu tests skip by design
    accepted = ("passed", "skipped") if args.cpu_smoke else ("passed",)
    summary["passed"] = all(step["status"] in accepted for step in summary["steps"])
    (args.outdir / "gpu_check_summary.json").write_text(json.dumps(summary, indent=2))
    (args.outdir / "gpu_check_summary.md").write_text(_markdown(summary))
    print(f"summary: {args.outdir / 'gpu_check_summary.md'} ({'all passed' if summary['passed'] else 'FAILURES'})")
    sys.exit(0 if summary["passed"] else 1)


if __name__ == "__main__":
    main()
