"""ONNX export of every tagger that exports (tiny nets): traced on one batch, onnxruntime matches
torch eager on another batch and jet size, with per-particle scalars."""

from __future__ import annotations

import pytest
import torch

from experiments.common.onnx_export import export_onnx, onnx_parity
from experiments.registry import get_wrapper
from lorentznets.lorentz import from_pt_eta_phi_m

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


def _jets(batch: int, particles: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Jets of 5 to particles - 2 massless constituents (pT 1-51 GeV, eta and phi within about
    0.5 of the axis), with two scalars each: the last two slots are padding in every jet.

    At least 5 constituents: a constituent with a single partner gets three equal frame vectors
    from the LLoCa vector net, hence a degenerate frame that turns float32 rounding into O(1)
    differences, in torch as in onnxruntime.
    """
    generator = torch.Generator().manual_seed(seed)
    pt_eta_phi_m = torch.stack(
        [
            50 * torch.rand(batch, particles, generator=generator) + 1,
            0.5 * torch.randn(batch, particles, generator=generator),
            0.5 * torch.randn(batch, particles, generator=generator),
            torch.zeros(batch, particles),
        ],
        dim=-1,
    )
    counts = torch.randint(5, particles - 1, (batch,), generator=generator)
    mask = torch.arange(particles) < counts[:, None]
    momenta = from_pt_eta_phi_m(pt_eta_phi_m.double()).float() * mask[..., None]
    return momenta, mask, torch.randn(batch, particles, 2, generator=generator) * mask[..., None]


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
