"""Forward+backward time and peak memory of our ParT and ParticleNet against weaver-core's.

Both nets of a pair get the same configuration and weights (ours loaded through
:mod:`lorentznets.compat.weaver`), the same jets, and are timed in the same process, alternating;
the ratios use the fastest repeat (wall clock, and process CPU time, which a loaded machine
disturbs less). Before timing, the largest difference of the two nets' outputs on the benchmark's
jets (evaluation mode, no gradients) is printed, and above float32 rounding (1e-4 of the largest
output, :mod:`benchmarks.parity`) nothing is timed. Every figure is
printed with the torch thread count and the machine's load average: on a shared machine the
figures are noisy. Memory is the peak resident-set growth of the first training step, each net in a
fresh subprocess. weaver runs with its sparse pair embedding and with sequence trimming off: in
training mode its ``SequenceTrimmer`` randomly reorders and truncates the jets from the sixth call
on, so the timed calls would see different (and fewer) particles than ours; both nets get the jets
padded to ``--particles``. Ours gets the real pairs (for its pair embedding) and the real particles
(for its token-wise layers) from the host, as the tagging collate builds them. ParticleNet's k
nearest neighbours need ``--particles`` of at least k + 1 (17 at the paper's k = 16). Usage::

    python benchmarks/bench_part.py                              # the papers' sizes, 32 jets x 20-64 particles
    python benchmarks/bench_part.py --model particlenet --jets 64
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from benchmarks.memory import first_call_peak_rss  # noqa: E402
from benchmarks.parity import require_parity  # noqa: E402
from lorentznets.compat.weaver import convert_part_state_dict, convert_particlenet_state_dict  # noqa: E402
from lorentznets.layers.part import real_pairs, real_particles  # noqa: E402
from lorentznets.nets.part import ParticleTransformer  # noqa: E402
from lorentznets.nets.particlenet import PAPER_CONV_PARAMS, ParticleNet  # noqa: E402


class Comparison(NamedTuple):
    """The forward calls of the compared nets (reference first) and the nets themselves.

    ``same_function`` is False where the two nets are different networks (no parity to check).
    """

    calls: dict[str, Callable[[], torch.Tensor]]
    nets: list[nn.Module]
    same_function: bool = True


def jets(num_jets: int, max_particles: int, min_particles: int, num_features: int, seed: int = 0):
    """Random jets: momenta (B, N, 4) GeV, features (B, N, F), mask (B, N) with random lengths."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(min_particles, max_particles + 1, (num_jets,), generator=generator)
    mask = torch.arange(max_particles) < lengths[:, None]
    pt = 1 + 100 * torch.rand(num_jets, max_particles, generator=generator)
    eta, phi = (0.3 * torch.randn(num_jets, max_particles, generator=generator) for _ in range(2))
    px, py, pz = pt * phi.cos(), pt * phi.sin(), pt * torch.sinh(eta)
    momenta = torch.stack([(px**2 + py**2 + pz**2 + 0.01).sqrt(), px, py, pz], -1) * mask[..., None]
    features = torch.randn(num_jets, max_particles, num_features, generator=generator) * mask[..., None]
    return momenta, features, mask


def train_step(net_call: Callable[[], torch.Tensor]) -> Callable[[], None]:
    """A forward+backward of ``net_call`` with a squared-output loss."""

    def step() -> None:
        net_call().square().mean().backward()

    return step


def check_parity(comparison: Comparison) -> None:
    """Print the largest difference of the two nets' outputs, in evaluation mode without gradients.

    Exits when it exceeds float32 rounding (:func:`benchmarks.parity.require_parity`): timing nets
    that compute different functions would compare nothing. The nets' training flags (of every
    submodule) are restored afterwards.

    Parameters
    ----------
    comparison : Comparison
        Two forward calls on the benchmark's inputs with the same weights.
    """
    if not comparison.same_function:
        print(f"parity: not checked, the compared nets are different networks {conditions()}")
        return
    modes = [(module, module.training) for net in comparison.nets for module in net.modules()]
    for net in comparison.nets:
        net.eval()
    try:
        with torch.no_grad():
            reference, ours = (call().float() for call in comparison.calls.values())
    finally:
        for module, training in modes:
            module.training = training
    worst, scale = float((ours - reference).abs().max()), float(reference.abs().max())
    print(
        f"parity (evaluation mode, same weights, the timed inputs): largest |output difference| {worst:.2g} "
        f"(largest |output| {scale:.2g}) {conditions()}",
        flush=True,
    )
    require_parity(worst, scale, " against ".join(comparison.calls))


def compare(runs: dict[str, Callable[[], None]], reference: str, repeats: int, argv: list[str], script: str) -> None:
    """Time the runs alternately, print each with the conditions, then ratios against ``reference``."""
    for fn in runs.values():
        fn()  # warm-up
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
            print(f"  {name:24s} fwd+bwd {times[name][-1]:.3f} s, CPU {cpu[name][-1]:.3f} s {conditions()}", flush=True)
    memory = {name: _peak_memory(name, argv, script) for name in runs}
    for name in runs:
        print(f"{name:26s} best {min(times[name]):.3f} s, peak memory {memory[name]:.0f} MiB {conditions()}")
    for name in runs:
        if name != reference:
            print(
                f"{name} / {reference}: throughput {min(times[reference]) / min(times[name]):.2f}x wall, "
                f"{min(cpu[reference]) / min(cpu[name]):.2f}x CPU time, "
                f"peak memory {memory[name] / max(memory[reference], 1e-9):.2f}x {conditions()}"
            )


def _peak_memory(name: str, argv: list[str], script: str) -> float:
    command = [sys.executable, script, *argv, "--memory-of", name]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[-1])


def part_runs(args) -> Comparison:
    from weaver.nn.model.ParticleTransformer import ParticleTransformer as WeaverParT

    reference = WeaverParT(input_dim=7, num_classes=2, trim=False).train()
    ours = ParticleTransformer(7, 2).train()
    ours.load_state_dict(convert_part_state_dict(reference.state_dict()))
    momenta, features, mask = jets(args.jets, args.particles, args.min_particles, 7)
    weaver_inputs = (features.transpose(1, 2), momenta[..., [1, 2, 3, 0]].transpose(1, 2), mask[:, None])
    ours_call = torch.compile(ours) if args.compile else ours
    host = {"pairs": real_pairs(mask), "pack_index": real_particles(mask)}
    calls = {
        "weaver ParT": lambda: reference(weaver_inputs[0], v=weaver_inputs[1], mask=weaver_inputs[2]),
        "ours ParT": lambda: ours_call(features, momenta, mask, **host),
    }
    return Comparison(calls, [reference, ours])


def particlenet_runs(args) -> Comparison:
    from weaver.nn.model.ParticleNet import ParticleNet as WeaverParticleNet

    conv, fc = [(k, tuple(c)) for k, c in PAPER_CONV_PARAMS], [(256, 0.1)]
    check_neighbours(args.particles, conv)
    reference = WeaverParticleNet(input_dims=7, num_classes=2, conv_params=conv, fc_params=fc, trim=False).train()
    ours = ParticleNet(7, 2, conv_params=conv, fc_params=fc).train()
    ours.load_state_dict(convert_particlenet_state_dict(reference.state_dict()))
    _, features, mask = jets(args.jets, args.particles, args.min_particles, 7)
    points = features[..., :2]
    weaver_inputs = (points.transpose(1, 2), features.transpose(1, 2), mask[:, None])
    ours_call = torch.compile(ours) if args.compile else ours
    calls = {
        "weaver ParticleNet": lambda: reference(*weaver_inputs),
        "ours ParticleNet": lambda: ours_call(points, features, mask),
    }
    return Comparison(calls, [reference, ours])


def check_neighbours(particles: int, conv_params: list[tuple[int, tuple[int, ...]]]) -> None:
    """Refuse jets too narrow for the k nearest neighbours (plus the point itself) of every EdgeConv."""
    k = max(k for k, _ in conv_params)
    if particles < k + 1:
        raise SystemExit(
            f"ParticleNet needs --particles >= k + 1 = {k + 1} (k = {k} nearest neighbours plus the particle "
            f"itself), got --particles {particles}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["part", "particlenet", "both"], default="both")
    parser.add_argument("--jets", type=int, default=32)
    parser.add_argument("--particles", type=int, default=64, help="particles per jet (max)")
    parser.add_argument("--min-particles", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compile", action="store_true", help="torch.compile ours (not the reference)")
    parser.add_argument("--memory-of", help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    models = ["part", "particlenet"] if args.model == "both" else [args.model]
    for model in models:
        comparison = (part_runs if model == "part" else particlenet_runs)(args)
        runs = {name: train_step(call) for name, call in comparison.calls.items()}
        if args.memory_of:
            if args.memory_of in runs:
                print(first_call_peak_rss(runs[args.memory_of]))
            continue
        print(f"{model}: {args.jets} jets x {args.min_particles}-{args.particles} particles, papers' sizes")
        check_parity(comparison)
        reference = next(iter(runs))
        compare(runs, reference, args.repeats, [*_without_model(sys.argv[1:]), "--model", model], __file__)


def _without_model(argv: list[str]) -> list[str]:
    out, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item == "--model":
            skip = True
        elif not item.startswith("--model="):
            out.append(item)
    return out


if __name__ == "__main__":
    main()
