"""ONNX export of the amplitude regressors on the nets that export as taggers too (tiny nets):
traced on one batch, onnxruntime matches torch eager on another batch, with padded events."""

from __future__ import annotations

import pytest
import torch
from onnx_test_utils import TINY_NETS

from experiments.amplitudes.dataset import TOKEN_NAMES
from experiments.common.onnx_export import export_onnx, onnx_parity
from experiments.registry import get_wrapper
from lorentznets.lorentz import from_pt_eta_phi_m

TINY = {
    **{name: (net, {}) for name, net in TINY_NETS.items()},
    "lloca_transformer": (
        {"attn_reps": "4x0n+1x1n", "num_heads": 2, "num_blocks": 1},
        {"frames": {"method": "polar", "vector_net": {"hidden_channels": 8, "num_layers": 1}}},
    ),
}
NAMES = ["momenta", "mask", "tokens"]
AXES = {**{name: {0: "batch"} for name in NAMES}, "log_amplitude": {0: "batch"}}


def _events(batch: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Events of 4 or 5 particles (a Z of 91 GeV among massless ones) padded to 5, one-hot tokens."""
    generator = torch.Generator().manual_seed(seed)
    pt_eta_phi_m = torch.stack(
        [
            100 * torch.rand(batch, 5, generator=generator) + 10,
            torch.randn(batch, 5, generator=generator),
            torch.rand(batch, 5, generator=generator) * 6 - 3,
            torch.tensor([0.0, 0.0, 91.0, 0.0, 0.0]).expand(batch, 5),
        ],
        dim=-1,
    )
    mask = torch.ones(batch, 5, dtype=torch.bool)
    mask[::2, 4] = False
    momenta = from_pt_eta_phi_m(pt_eta_phi_m.double()).float() * mask[..., None]
    types = torch.randint(len(TOKEN_NAMES), (batch, 5), generator=generator)
    tokens = torch.nn.functional.one_hot(types, len(TOKEN_NAMES)).float() * mask[..., None]
    return momenta, mask, tokens


@pytest.mark.parametrize("model", sorted(TINY))
def test_regressor_exports_and_matches_torch(model, tmp_path):
    torch.manual_seed(0)
    net, options = TINY[model]
    wrapper = get_wrapper("amplitudes", model)(net=net, n_max=5, num_tokens=len(TOKEN_NAMES), **options).eval()
    wrapper.set_momentum_scale(50.0)
    if options:
        # distinct frame vectors, as after training (see tests/experiments/tagging/test_tagger_onnx_models.py)
        with torch.no_grad():
            wrapper.frames.vector_net.mlp[-1].weight.mul_(10)
    path = tmp_path / f"{model}.onnx"
    export_onnx(wrapper, _events(4, 0), path, NAMES, ["log_amplitude"], AXES)
    # raises OnnxExportError beyond |onnx - torch| <= 1e-5 + 1e-4 |torch|
    onnx_parity(path, wrapper, _events(9, 1), NAMES)
