"""ONNX export of every tagger that exports (tiny nets): traced on one batch, onnxruntime matches
torch eager on another batch and jet size, with per-particle scalars."""

from __future__ import annotations

import pytest
import torch
from onnx_test_utils import TINY_NETS, jets

from experiments.common.onnx_export import export_onnx, onnx_parity
from experiments.registry import get_wrapper

TINY = {name: (net, {}) for name, net in TINY_NETS.items()}
FRAMES = {"frames": {"kind": "learned", "method": "polar", "vector_net": {"hidden_channels": 8, "num_layers": 1}}}
TINY.update(
    lloca_transformer=({"attn_reps": "4x0n+1x1n", "num_heads": 2, "num_blocks": 1}, FRAMES),
    lloca_part=(
        {
            "attn_reps": "4x0n+1x1n",
            "num_heads": 2,
            "embed_dims": [16],
            "pair_embed_dims": [8],
            "num_layers": 1,
            "num_cls_layers": 1,
        },
        FRAMES,
    ),
    lloca_particlenet=(
        {"conv_params": [[4, [8, 8]], [4, [16, 16]]], "hidden_reps": ["4x0n+1x1n"], "fc_params": [[16, 0.0]]},
        FRAMES,
    ),
    part=({"embed_dims": [16, 16], "pair_embed_dims": [8], "num_heads": 2, "num_layers": 1, "num_cls_layers": 1}, {}),
)
NAMES = ["momenta", "mask", "scalars"]
AXES = {**{name: {0: "batch", 1: "particles"} for name in NAMES}, "logits": {0: "batch"}}


def _jets(batch: int, particles: int, seed: int) -> tuple[torch.Tensor, ...]:
    """Jets with two scalars per constituent; the last two slots are padding in every jet."""
    return jets(batch, particles, seed, padding=2, num_scalars=2)


@pytest.mark.parametrize("model", sorted(TINY))
def test_tagger_exports_and_matches_torch(model, tmp_path):
    torch.manual_seed(0)
    net, options = TINY[model]
    wrapper = get_wrapper("tagging", model)(net=net, out_channels=3, num_scalars=2, **options).eval()
    wrapper.set_momentum_scale(40.0)
    if options:
        # At initialisation the vector net weighs all partners almost alike, so the three vectors
        # of a frame nearly coincide and the frames amplify float32 rounding (1e-7 -> 1e-2); 10x
        # larger logits give distinct vectors, as a trained net has.
        with torch.no_grad():
            wrapper.frames.vector_net.mlp[-1].weight.mul_(10)
    path = tmp_path / f"{model}.onnx"
    export_onnx(wrapper, _jets(4, 9, 0), path, NAMES, ["logits"], AXES)
    # Other jets, batch size and particle count than traced.
    # raises OnnxExportError beyond |onnx - torch| <= 1e-5 + 1e-4 |torch|
    onnx_parity(path, wrapper, _jets(7, 13, 1), NAMES)
