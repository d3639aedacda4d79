"""Human-readable progress: tqdm bars, one-line validation summaries and a final table."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from tqdm import tqdm


def progress_bar(iterable: Iterable | None = None, enabled: bool = True, **kwargs: Any) -> tqdm:
    """tqdm bar on stderr; silent when ``enabled`` is False (non-main ranks, ``progress=false``)
    and when stderr is not a terminal (log files and batch jobs keep only the log lines)."""
    return tqdm(iterable, disable=None if enabled else True, file=sys.stderr, dynamic_ncols=True, leave=False, **kwargs)


class TqdmLoggingHandler(logging.StreamHandler):
    """Console handler that prints through :func:`tqdm.write`, so log lines do not break the
    progress bars."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(self.format(record), file=self.stream)
        except Exception:
            self.handleError(record)


def _format_value(value: float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        return f"{value:.4g}"
    return f"{value:.4f}"


def validation_summary(
    step: int,
    total_steps: int,
    train_loss: float,
    val_loss: float,
    is_best: bool,
    lr: float,
    seconds_per_step: float,
    extra: Mapping[str, float] | None = None,
) -> str:
    """One line per validation, e.g.
    ``step 200/1000 | train 0.4123 | val 0.4011 * | lr 1.0e-03 | 0.052 s/step``
    (``*`` marks a new best validation loss)."""
    parts = [
        f"step {step}/{total_steps}",
        f"train {train_loss:.4f}",
        f"val {val_loss:.4f}{' *' if is_best else ''}",
        f"lr {lr:.1e}",
        f"{seconds_per_step:.3f} s/step",
    ]
    parts += [f"{k} {_format_value(v)}" for k, v in (extra or {}).items()]
    return " | ".join(parts)


def metrics_table(metrics: Mapping[str, float], title: str = "metrics") -> str:
    """Two-column text table of final metrics, keys sorted."""
    if not metrics:
        return f"{title}: (none)"
    width = max(len(k) for k in metrics)
    lines = [title, "-" * (width + 14)]
    lines += [f"{k:<{width}}  {_format_value(metrics[k]):>12}" for k in sorted(metrics)]
    lines.append("-" * (width + 14))
    return "\n".join(lines)
