"""The LLoCa nets (Transformer, ParT, ParticleNet, each with its learned frames) and the ParT and
ParticleNet baselines on CUDA: forward + backward in float32 and bf16 autocast against a CPU
float64 copy, the LLoCa-Transformer's packed tokens (FlexAttention) against its padded batch, and
no training step synchronising with the host.

Tolerances as in ``tests/gpu/test_nets_cuda.py``, relative to the largest reference value of the
outputs and of each parameter gradient: float32 1e-3 for outputs, 1e-2 for gradients; bf16
autocast 0.1 and 0.3; packed against padded, both float32 on CUDA, 1e-4 and 1e-3. A gradient's
scale is at least a floor times the net's largest reference gradient (0.01, in bf16 0.2): some
gradients vanish in float64 (biases before a batch norm, the Frames-Net's last bias before the
softmax over partners), and ParticleNet's early-layer gradients, which reach back through a
training-mode batch norm behind the mean pooling as small differences of large terms, carry bf16
rounding of the net's larger gradients (measured with CPU autocast: up to 2% of the largest).

The LLoCa cases run like the tagging wrappers: frames from a ``LearnedFrames`` net (polar, with
the model configs' regularisations; deterministic, no random frames), local jet features, the net.
Under bf16 autocast the library forms the frames and local features in float32 (docs/gpu.md),
so the bf16 comparisons are of the nets. The ``_host`` cases add what the wrappers' ``host_inputs`` give
(``frame_pairs``, ``pairs``, ``pack_index``, ``offsets``). The comparisons run without dropout (CPU
and CUDA draw different masks); the synchronisation test keeps it.

ParticleNet's neighbour search is discontinuous in its inputs, so its jets are built to make the
neighbour sets independent of rounding: every jet is padded with at least k + 1 slots (padded
particles, all at one far point, find only each other) and has at most k + 1 real particles (each
real particle's neighbours are all others of its jet, topped up with equivalent padded ones).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import NamedTuple

import pytest
import torch
from torch import nn

from lorentznets.frames import LearnedFrames, local_jet_features
from lorentznets.layers.attention import real_particles
from lorentznets.layers.lorentznet import real_pairs as ordered_real_pairs
from lorentznets.layers.part import real_pairs
from lorentznets.nets.lloca_part import LLoCaParticleTransformer
from lorentznets.nets.lloca_particlenet import LLoCaParticleNet
from lorentznets.nets.lloca_transformer import LLoCaTransformer
from lorentznets.nets.part import ParticleTransformer
from lorentznets.nets.particlenet import ParticleNet
from lorentznets.testing import assert_never_synchronises

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]

# (outputs, gradients, floor of a gradient's scale relative to the net's largest gradient)
TOLERANCES = {"float32": (1e-3, 1e-2, 1e-2), "bf16": (0.1, 0.3, 0.2)}
PACKED_TOLERANCES = (1e-4, 1e-3, 1e-2)
# 151 tokens packed: more than one 128 x 128 FlexAttention tile, with an event across the boundary
TOKEN_LENGTHS, TOKEN_SLOTS = (60, 17, 33, 41), 60
# k = 4 neighbours: at most k + 1 real particles and at least k + 1 padded slots per jet (see above)
NEIGHBOURS = 4
CLOUD_LENGTHS, CLOUD_SLOTS = (5, 2, 4, 3), 10


class Case(NamedTuple):
    """A net, how to call it on a batch, and the jets it runs on."""

    build: Callable[[float], nn.Module]  # dropout -> module (parameters from the global seed)
    run: Callable[[nn.Module, dict], torch.Tensor]  # (module, batch) -> outputs, zero at padding
    lengths: tuple[int, ...]
    slots: int


def _batch(lengths: tuple[int, ...], slots: int, seed: int) -> dict[str, torch.Tensor]:
    """Jets of ``lengths`` real particles padded to ``slots``, float64 holding float32 values (so
    that the CPU reference and the CUDA copy see the same inputs), and the host inputs a collate
    function builds from the mask."""
    g = torch.Generator().manual_seed(seed)
    mask = torch.arange(slots) < torch.tensor(lengths)[:, None]
    real = mask[..., None]
    spatial = torch.randn(len(lengths), slots, 3, dtype=torch.float64, generator=g)
    # masses of order the momenta: no float32 cancellation in the invariants
    momenta = torch.cat((spatial.norm(dim=-1, keepdim=True) + 0.3, spatial), dim=-1) * real
    features = torch.randn(len(lengths), slots, 5, dtype=torch.float64, generator=g) * real
    points = torch.randn(len(lengths), slots, 2, dtype=torch.float64, generator=g) * real
    lengths_tensor = mask.sum(1)
    return {
        "p": momenta.float().double(),
        "features": features.float().double(),
        "points": points.float().double(),
        "mask": mask,
        "frame_pairs": ordered_real_pairs(mask),
        "pairs": real_pairs(mask),
        "pack_index": real_particles(mask),
        "offsets": torch.cat((lengths_tensor.new_zeros(1), lengths_tensor.cumsum(0))),
    }


def _to(batch: dict[str, torch.Tensor], device: str, dtype: torch.dtype) -> dict[str, torch.Tensor]:
    return {key: t.to(device, dtype) if t.is_floating_point() else t.to(device) for key, t in batch.items()}


def _frames() -> LearnedFrames:
    # the model configs' regularisations (config/model/lloca_*.yaml)
    return LearnedFrames("polar", {"hidden_channels": 16}, eps_mass=0.01, eps_separation=0.1)


def _local_inputs(model: nn.Module, b: dict, host: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Frames (B, N, 4, 4) and local jet features (B, N, 8), as the LLoCa tagging wrappers form them."""
    # under autocast too: the frames and the products with them run in float32 (docs/gpu.md)
    frames = model["frames"](b["p"], b["mask"], None, b["frame_pairs"] if host else None)
    return frames, local_jet_features(b["p"], frames, b["mask"], scale=1.0)


def _lloca_transformer(dropout: float) -> nn.Module:
    net = LLoCaTransformer(8, 2, "4x0n+2x1n", num_heads=2, num_blocks=2, dropout=dropout)
    return nn.ModuleDict({"frames": _frames(), "net": net})


def _run_lloca_transformer(model: nn.Module, b: dict, host: bool = False) -> torch.Tensor:
    frames, features = _local_inputs(model, b, host)
    packing = {"pack_index": b["pack_index"], "offsets": b["offsets"]} if host else {}
    return model["net"](features, frames, b["mask"], b["p"].sum(1), **packing) * b["mask"][..., None]


def _lloca_part(dropout: float) -> nn.Module:
    dropouts = {"dropout": dropout, "attn_dropout": dropout, "activation_dropout": dropout}
    net = LLoCaParticleTransformer(
        8, 2, "4x0n+2x1n", num_heads=2, pair_embed_dims=(8,), num_layers=2, num_cls_layers=1, **dropouts
    )
    return nn.ModuleDict({"frames": _frames(), "net": net})


def _run_lloca_part(model: nn.Module, b: dict, host: bool = False) -> torch.Tensor:
    frames, features = _local_inputs(model, b, host)
    indices = {"pairs": b["pairs"], "pack_index": b["pack_index"]} if host else {}
    return model["net"](features, b["p"], frames, b["mask"], b["p"].sum(1), **indices)


def _lloca_particlenet(dropout: float) -> nn.Module:
    conv = ((NEIGHBOURS, (8, 8)), (NEIGHBOURS, (16,)))
    net = LLoCaParticleNet(8, 2, conv, ("4x0n+1x1n",), fc_params=((8, dropout),))
    return nn.ModuleDict({"frames": _frames(), "net": net})


def _run_lloca_particlenet(model: nn.Module, b: dict, host: bool = False) -> torch.Tensor:
    frames, features = _local_inputs(model, b, host)
    # random first-search coordinates, not local ones: a two-particle jet's learned frames see the
    # same jet in both particles' frames, and tied distances make the neighbours arbitrary
    return model["net"](b["points"], features, frames, b["mask"])


def _part(dropout: float) -> nn.Module:
    dropouts = {"dropout": dropout, "attn_dropout": dropout, "activation_dropout": dropout}
    config = {"embed_dims": (16, 16), "pair_embed_dims": (8,), "num_heads": 2, "num_layers": 2, "num_cls_layers": 1}
    return ParticleTransformer(5, 2, **config, **dropouts)


def _run_part(net: nn.Module, b: dict, host: bool = False) -> torch.Tensor:
    indices = {"pairs": b["pairs"], "pack_index": b["pack_index"]} if host else {}
    return net(b["features"], b["p"], b["mask"], **indices)


CASES = {
    "lloca_transformer": Case(_lloca_transformer, _run_lloca_transformer, TOKEN_LENGTHS, TOKEN_SLOTS),
    "lloca_transformer_host": Case(
        _lloca_transformer, lambda m, b: _run_lloca_transformer(m, b, host=True), TOKEN_LENGTHS, TOKEN_SLOTS
    ),
    "lloca_part": Case(_lloca_part, _run_lloca_part, TOKEN_LENGTHS, TOKEN_SLOTS),
    "lloca_part_host": Case(_lloca_part, lambda m, b: _run_lloca_part(m, b, host=True), TOKEN_LENGTHS, TOKEN_SLOTS),
    "lloca_particlenet": Case(_lloca_particlenet, _run_lloca_particlenet, CLOUD_LENGTHS, CLOUD_SLOTS),
    "lloca_particlenet_host": Case(
        _lloca_particlenet, lambda m, b: _run_lloca_particlenet(m, b, host=True), CLOUD_LENGTHS, CLOUD_SLOTS
    ),
    "part": Case(_part, _run_part, TOKEN_LENGTHS, TOKEN_SLOTS),
    "part_host": Case(_part, lambda m, b: _run_part(m, b, host=True), TOKEN_LENGTHS, TOKEN_SLOTS),
    "particlenet": Case(
        lambda dropout: ParticleNet(5, 2, ((NEIGHBOURS, (8, 8)), (NEIGHBOURS, (16,))), ((8, dropout),)),
        lambda net, b: net(b["points"], b["features"], b["mask"]),
        CLOUD_LENGTHS,
        CLOUD_SLOTS,
    ),
}


def _output_and_grads(
    net: nn.Module, run: Callable, batch: dict, autocast: bool
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Outputs and parameter gradients of ``sum(out^2)``, in float64 on the CPU."""
    device = batch["mask"].device.type
    with torch.autocast(device, dtype=torch.bfloat16, enabled=autocast):
        out = run(net, batch)
    out.double().square().sum().backward()
    grads = {name: param.grad.double().cpu() for name, param in net.named_parameters() if param.grad is not None}
    return out.detach().double().cpu(), grads


def _relative_errors(
    out: torch.Tensor,
    grads: dict[str, torch.Tensor],
    expected: torch.Tensor,
    expected_grads: dict[str, torch.Tensor],
    floor: float,
) -> dict[str, float]:
    """Largest deviations of the outputs ("output") and of each parameter gradient, relative to the
    largest reference value (for a gradient at least ``floor`` times the net's largest gradient)."""
    assert grads.keys() == expected_grads.keys()
    errors = {"output": float((out - expected).abs().max() / expected.abs().max())}
    largest = max(grad.abs().max() for grad in expected_grads.values())
    for name, grad in grads.items():
        scale = torch.maximum(expected_grads[name].abs().max(), floor * largest)
        errors[name] = float((grad - expected_grads[name]).abs().max() / scale)
    return errors


def _errors_against_float64(case: str, precision: str, device: str = "cuda") -> dict[str, float]:
    """Relative errors of the outputs ("output") and of each parameter gradient of ``case`` in
    float32 (bf16 autocast for ``precision="bf16"``) on ``device`` against a CPU float64 copy."""
    build, run, lengths, slots = CASES[case]
    torch.manual_seed(0)
    reference = build(0.0).double()
    net = copy.deepcopy(reference).float().to(device)
    batch = _batch(lengths, slots, seed=0)
    expected, expected_grads = _output_and_grads(reference, run, batch, autocast=False)
    out, grads = _output_and_grads(net, run, _to(batch, device, torch.float32), autocast=precision == "bf16")
    assert torch.isfinite(out).all()
    return _relative_errors(out, grads, expected, expected_grads, floor=TOLERANCES[precision][2])


@pytest.mark.parametrize("precision", ["float32", "bf16"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_cuda_matches_cpu_float64(case, precision):
    errors = _errors_against_float64(case, precision)
    out_tol, grad_tol, _ = TOLERANCES[precision]
    assert errors.pop("output") <= out_tol
    assert {name: error for name, error in errors.items() if error > grad_tol} == {}


def _packed_against_padded_errors(device: str = "cuda") -> dict[str, float]:
    """Relative errors of the LLoCa-Transformer's packed run (frame pairs, packed tokens; FlexAttention
    on CUDA) against its padded run, float32, outputs at real particles and parameter gradients."""
    torch.manual_seed(0)
    model = _lloca_transformer(0.0).to(device)
    batch = _to(_batch(TOKEN_LENGTHS, TOKEN_SLOTS, seed=1), device, torch.float32)
    padded, padded_grads = _output_and_grads(model, _run_lloca_transformer, batch, autocast=False)
    model.zero_grad()
    packed, packed_grads = _output_and_grads(model, CASES["lloca_transformer_host"].run, batch, autocast=False)
    return _relative_errors(packed, packed_grads, padded, padded_grads, floor=PACKED_TOLERANCES[2])


def test_lloca_transformer_packed_equals_padded_on_cuda():
    errors = _packed_against_padded_errors()
    out_tol, grad_tol, _ = PACKED_TOLERANCES
    assert errors.pop("output") <= out_tol
    assert {name: error for name, error in errors.items() if error > grad_tol} == {}


def _training_step(case: str, device: str = "cuda") -> Callable[[], None]:
    """One training forward and backward of ``case`` (dropout on) on a batch already on ``device``."""
    build, run, lengths, slots = CASES[case]
    torch.manual_seed(0)
    net = build(0.1).to(device).train()
    batch = _to(_batch(lengths, slots, seed=3), device, torch.float32)

    def step() -> None:
        run(net, batch).square().mean().backward()

    return step


@pytest.mark.parametrize("case", sorted(CASES))
def test_training_forward_and_backward_never_synchronise(case):
    """With its host inputs built beforehand, a net's training forward and backward pass (frames
    included) never wait for the device (``torch.cuda.set_sync_debug_mode("error")`` raises on any
    synchronising call, including those inside kernels, which tracing cannot see)."""
    assert_never_synchronises(_training_step(case))
