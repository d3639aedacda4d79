"""ONNX export of every tagger that exports (tiny nets): traced on one batch, onnxruntime matches
torch eager on another batch and jet size, with per-particle scalars."""

from __future__ import annotations

import pytest
import torch

from experiments.common.onnx_export import PARITY_ATOL, export_onnx, onnx_parity
from experiments.registry import get_wrapper
from tests.data.readers.jet_files import random_jets

TINY = {
    "gatr": (
        {"num_blocks": 1, "hidden_mv_channels": 4, "hidden_s_channels": 8, "attention": {"num_heads": 2}, "mlp": {}},
        {},
    ),
    "pelican": (
        {
            "hidden_channels": 8,
            "message_channels": 6,
            "num_blocks": 1,
            "encoder_channels": 4,
            "scalar_channels": 2,
            "readout_channels": 6,
        },
        {},
    ),
}
NAMES = ["momenta", "mask", "scalars"]
AXES = {**{name: {0: "batch", 1: "particles"} for name in NAMES}, "logits": {0: "batch"}}


def _jets(batch: int, particles: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Jets of 1 to particles - 2 constituents: the last two slots are padding in every jet."""
    momenta, counts = random_jets(batch, particles - 2, seed=seed)
    momenta = torch.nn.functional.pad(torch.from_numpy(momenta).float(), (0, 0, 0, 2))
    mask = torch.arange(particles) < torch.from_numpy(counts)[:, None]
    scalars = torch.randn(batch, particles, 2, generator=torch.Generator().manual_seed(seed)) * mask[..., None]
    return momenta, mask, scalars


@pytest.mark.parametrize("model", sorted(TINY))
def test_tagger_exports_and_matches_torch(model, tmp_path):
    torch.manual_seed(0)
    net, options = TINY[model]
    wrapper = get_wrapper("tagging", model)(net=net, out_channels=3, num_scalars=2, **options).eval()
    wrapper.set_momentum_scale(40.0)
    path = tmp_path / f"{model}.onnx"
    export_onnx(wrapper, _jets(4, 9, 0), path, NAMES, ["logits"], AXES)
    # Other jets, batch size and particle count than traced.
    assert onnx_parity(path, wrapper, _jets(7, 13, 1), NAMES) < PARITY_ATOL
