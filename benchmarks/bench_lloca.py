"""Forward+backward time and peak memory of our LLoCa nets against the ``lloca`` package, and of our
LLoCa-Transformer tagger against our L-GATr.

LLoCa-Transformer, LLoCa-ParT and LLoCa-ParticleNet at the papers' tagging sizes (the authors'
top-tagging transformer: 12 blocks, 8 heads of 12x0n+1x1n, MLP ratio 2 / the published ParT, 8
heads of 8x0n+2x1n / the published ParticleNet read as 32x0n+8x1n and 64x0n+16x1n, no fusion): ours
and lloca's get the same weights (ours loaded through :mod:`lorentznets.compat.lloca`), the same
jets and the same local frames, and are timed alternately in one process (ours get the host inputs
that the tagging collate builds: real pairs and real particles for LLoCa-ParT, packed tokens for the
LLoCa-Transformer). The tagger comparison times our two tagging wrappers as the tagging experiment
runs them, at their ``config_paper`` sizes (L-GATr: 12 blocks, 16 multivector / 32 scalar channels,
8 heads; LLoCa-Transformer: learned frames from a Frames-Net, local features, the backbone above),
on the same jets, each with its host inputs. Before timing, each package comparison prints the largest
difference of the two sides' outputs on the timed inputs (evaluation mode, no gradients; the tagger
comparison has two different nets, so no parity) and times nothing above float32 rounding (1e-4 of
the largest output, :mod:`benchmarks.parity`). Ratios use the fastest
repeat; every figure comes with the torch thread count and the load average (a shared machine is
noisy). Usage::

    python benchmarks/bench_lloca.py                 # all four comparisons, 32 jets x 20-64 particles
    python benchmarks/bench_lloca.py --compare transformer --jets 16
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, uninstalled

from benchmarks.bench_part import Comparison, check_parity, compare, jets, train_step  # noqa: E402
from benchmarks.memory import first_call_peak_rss  # noqa: E402
from benchmarks.taggers import tagger_from_config  # noqa: E402
from experiments.common.host_inputs import packing  # noqa: E402
from lorentznets.compat.lloca import (  # noqa: E402
    convert_lloca_part_state_dict,
    convert_lloca_particlenet_state_dict,
    convert_lloca_transformer_state_dict,
)
from lorentznets.frames import NUM_LOCAL_FEATURES  # noqa: E402
from lorentznets.layers.part import real_pairs, real_particles  # noqa: E402
from lorentznets.lorentz import random_lorentz_transform  # noqa: E402
from lorentznets.nets.lloca_part import LLoCaParticleTransformer  # noqa: E402
from lorentznets.nets.lloca_particlenet import LLoCaParticleNet  # noqa: E402
from lorentznets.nets.lloca_transformer import LLoCaTransformer  # noqa: E402
from lorentznets.nets.particlenet import PAPER_CONV_PARAMS  # noqa: E402

REPS, HEADS = "8x0n+2x1n", 8
# the LLoCa authors' top-tagging LLoCa-Transformer (config_paper/model/lloca_transformer.yaml)
TRANSFORMER_REPS, TRANSFORMER_MLP_RATIO = "12x0n+1x1n", 2
COMPARISONS = ("transformer", "part", "particlenet", "tagger")
PARTICLENET_REPS = ("32x0n+8x1n", "64x0n+16x1n")


def _inputs(args):
    momenta, features, mask = jets(args.jets, args.particles, args.min_particles, NUM_LOCAL_FEATURES)
    generator = torch.Generator().manual_seed(1)
    frames = random_lorentz_transform(mask.shape, max_rapidity=2.0, generator=generator).float()
    return momenta, features, mask, frames, momenta.sum(1)


def transformer_runs(args) -> Comparison:
    from lloca.backbone.transformer import Transformer
    from lloca.framesnet.frames import Frames

    config = dict(num_blocks=12, num_heads=HEADS)
    reference = Transformer(
        in_channels=NUM_LOCAL_FEATURES,
        attn_reps=TRANSFORMER_REPS,
        out_channels=1,
        mlp_factor=TRANSFORMER_MLP_RATIO,
        **config,
    )
    ours = LLoCaTransformer(NUM_LOCAL_FEATURES, 1, TRANSFORMER_REPS, mlp_ratio=TRANSFORMER_MLP_RATIO, **config)
    ours.load_state_dict(convert_lloca_transformer_state_dict(reference.state_dict(), HEADS))
    momenta, features, mask, frames, jet = _inputs(args)
    attn_mask, packed = mask[:, None, None, :], packing(mask)
    calls = {
        "lloca LLoCa-Transformer": lambda: (
            reference(features, Frames(frames), p_ref=jet, attn_mask=attn_mask) * mask[..., None]
        ),
        "ours LLoCa-Transformer": lambda: ours(features, frames, mask, jet, **packed),
    }
    return Comparison(calls, [reference, ours])


def part_runs(args) -> Comparison:
    from lloca.backbone.particletransformer import ParticleTransformer
    from lloca.framesnet.frames import Frames

    reference = ParticleTransformer(
        input_dim=NUM_LOCAL_FEATURES, attn_reps=REPS, num_classes=2, pair_input_dim=1, num_heads=HEADS
    )
    ours = LLoCaParticleTransformer(NUM_LOCAL_FEATURES, 2, REPS, num_heads=HEADS, embed_dims=(128, 512, 128))
    ours.load_state_dict(convert_lloca_part_state_dict(reference.state_dict()))
    momenta, features, mask, frames, jet = _inputs(args)
    weaver = (features.transpose(1, 2), momenta[..., [1, 2, 3, 0]].transpose(1, 2), mask[:, None])
    pairs, pack_index = real_pairs(mask), real_particles(mask)
    calls = {
        "lloca LLoCa-ParT": lambda: reference(weaver[0], Frames(frames), v=weaver[1], mask=weaver[2], p_ref=jet),
        "ours LLoCa-ParT": lambda: ours(features, momenta, frames, mask, jet, pairs, pack_index),
    }
    return Comparison(calls, [reference, ours])


def particlenet_runs(args) -> Comparison:
    from lloca.backbone.particlenet import ParticleNet
    from lloca.framesnet.frames import Frames

    conv, fc = [(k, tuple(c)) for k, c in PAPER_CONV_PARAMS], [(256, 0.1)]
    reps = [f"{NUM_LOCAL_FEATURES}x0n", *PARTICLENET_REPS]
    reference = ParticleNet(NUM_LOCAL_FEATURES, reps, 2, conv_params=conv, fc_params=fc, use_fusion=False)
    ours = LLoCaParticleNet(NUM_LOCAL_FEATURES, 2, conv, PARTICLENET_REPS, fc, use_fusion=False)
    ours.load_state_dict(convert_lloca_particlenet_state_dict(reference.state_dict()))
    _, features, mask, frames, _ = _inputs(args)
    frames = torch.where(mask[..., None, None], frames, torch.eye(4))
    points = features[..., :2]
    lloca_inputs = (points.transpose(1, 2), features.transpose(1, 2), Frames(frames.reshape(-1, 4, 4)), mask[:, None])
    calls = {
        "lloca LLoCa-ParticleNet": lambda: reference(*lloca_inputs),
        "ours LLoCa-ParticleNet": lambda: ours(points, features, frames, mask),
    }
    return Comparison(calls, [reference, ours])


def _tagger(name: str, momenta: torch.Tensor, mask: torch.Tensor) -> tuple[Callable[[], torch.Tensor], nn.Module]:
    """Logits of the tagging wrapper ``name`` at its ``config_paper`` size, given the host inputs
    that the tagging collate builds (outside the timed call, as in the DataLoader workers), and the wrapper."""
    wrapper = tagger_from_config(name, f"config_paper/model/{name}.yaml")
    wrapper.set_momentum_scale(float(momenta[mask].std()))
    host = wrapper.host_inputs(mask)
    return (lambda: wrapper(momenta, mask, **host)), wrapper


def tagger_runs(args) -> Comparison:
    momenta, _, mask, _, _ = _inputs(args)
    (gatr, gatr_net), (lloca, lloca_net) = (_tagger(name, momenta, mask) for name in ("gatr", "lloca_transformer"))
    calls = {"ours L-GATr tagger": gatr, "ours LLoCa-Transformer tagger": lloca}
    return Comparison(calls, [gatr_net, lloca_net], same_function=False)


RUNS = {"transformer": transformer_runs, "part": part_runs, "particlenet": particlenet_runs, "tagger": tagger_runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", choices=[*COMPARISONS, "all"], default="all")
    parser.add_argument("--jets", type=int, default=32)
    parser.add_argument("--particles", type=int, default=64, help="particles per jet (max)")
    parser.add_argument("--min-particles", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    base_argv = [f"--jets={args.jets}", f"--particles={args.particles}", f"--min-particles={args.min_particles}"]
    base_argv.append(f"--threads={args.threads}")
    for name in COMPARISONS if args.compare == "all" else (args.compare,):
        comparison = RUNS[name](args)
        runs = {label: train_step(call) for label, call in comparison.calls.items()}
        if args.memory_of:
            if args.memory_of in runs:
                print(first_call_peak_rss(runs[args.memory_of]))
            continue
        print(f"{name}: {args.jets} jets x {args.min_particles}-{args.particles} particles, papers' sizes")
        check_parity(comparison)
        compare(runs, next(iter(runs)), args.repeats, [*base_argv, f"--compare={name}"], __file__)


if __name__ == "__main__":
    main()
