"""Progress bars, validation summaries and the final metrics table."""

from __future__ import annotations

import io
import sys

import pytest

from experiments.common.progress import metrics_table, progress_bar, validation_summary


def test_summary_line():
    line = validation_summary(200, 1000, 0.41234, 0.40111, True, 1e-3, 0.052, {"accuracy": 0.9})
    assert line == ("step 200/1000 | train 0.4123 | val 0.4011 * | lr 1.0e-03 | 0.052 s/step | accuracy 0.9000")


def test_table_sorted_and_formatted():
    table = metrics_table({"test.rej30": 2240.5, "test.auc": 0.987}, "results")
    lines = table.splitlines()
    assert lines[0] == "results"
    assert lines[2].split() == ["test.auc", "0.9870"]
    assert lines[3].split() == ["test.rej30", "2240.5000"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "shown"), [(io.StringIO, False), (_Terminal, True)])
def test_bars_show_on_a_terminal_only(monkeypatch, stream, shown):
    monkeypatch.setattr(sys, "stderr", stream())
    with progress_bar(total=3, desc="sampling") as bar:
        bar.update(3)
    assert ("sampling" in sys.stderr.getvalue()) == shown
    monkeypatch.setattr(sys, "stderr", _Terminal())
    with progress_bar(total=3, enabled=False) as bar:
        bar.update(3)
    assert sys.stderr.getvalue() == ""
