"""The benchmarks refuse to time nets whose outputs differ by more than rounding."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from benchmarks.bench_part import Comparison, check_parity
from benchmarks.parity import require_parity


@pytest.mark.parametrize(
    ("worst", "scale", "precision", "refused"),
    [
        (9e-5, 1.0, "float32", False),
        (2e-4, 1.0, "float32", True),
        (2e-4, 10.0, "float32", False),
        (0.05, 1.0, "bf16", False),
        (0.2, 1.0, "bf16", True),
        (float("nan"), 1.0, "float32", True),
    ],
)
def test_require_parity(worst, scale, precision, refused):
    if refused:
        with pytest.raises(SystemExit, match=f"above the {precision} tolerance"):
            require_parity(worst, scale, "a against b", precision)
    else:
        require_parity(worst, scale, "a against b", precision)


def _comparison(same_weights: bool) -> Comparison:
    torch.manual_seed(0)
    reference, ours = nn.Linear(5, 3), nn.Linear(5, 3)
    if same_weights:
        ours.load_state_dict(reference.state_dict())
    x = torch.randn(7, 5)
    return Comparison({"reference": lambda: reference(x), "ours": lambda: ours(x)}, [reference, ours])


def test_check_parity_refuses_different_functions():
    check_parity(_comparison(same_weights=True))
    with pytest.raises(SystemExit, match="reference against ours: outputs differ by"):
        check_parity(_comparison(same_weights=False))
