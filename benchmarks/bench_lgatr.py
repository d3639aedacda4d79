"""Forward+backward time and peak memory of our LGATr against the official ``lgatr.LGATr``.

Both nets get the same configuration and the same weights (ours loaded through
:func:`lorentznets.compat.lgatr.load_lgatr_state_dict`), the same inputs, and are timed in the
same process, alternating. Before timing, the largest difference of their outputs on the real
particles of the timed inputs is printed (evaluation mode, no gradients; under ``--bf16`` in bf16),
and above rounding (:mod:`benchmarks.parity`: 1e-4 of the largest output in float32, 1e-1 in
bf16) nothing is timed.
With variable-length jets (``--min-particles`` below ``--particles``) lgatr is timed twice: padded
(a boolean key mask) and packed (all jets as one sequence with a block-diagonal attention mask,
which skips the token-wise work on padding), and ours is compared with both. Usage::

    python benchmarks/bench_lgatr.py                      # small default, ~1-2 min on 2 cores
    python benchmarks/bench_lgatr.py --blocks 12 --attn-ratio 2 --mlp-ratio 2 --head-scale   # the paper's tagger
    python benchmarks/bench_lgatr.py --min-particles 10 --ablate   # variable length, per-optimisation gains

``--attn-ratio``, ``--mlp-ratio`` and ``--head-scale`` default to lgatr's defaults (1, 4, off); the
paper's top tagger (config_paper/model/gatr.yaml: 12 blocks, 16 mv / 32 s channels, 8 heads) has
2, 2 and on: 1.08M parameters (1.68M with lgatr's default ratios).
FLOPs come from torch's FLOP counter (matrix products only), a machine-independent measure.
Memory on CPU is the peak resident-set growth of the first forward+backward, each net in a fresh
subprocess (in one process the second net reuses memory the first one freed); on GPU it is
``torch.cuda.max_memory_allocated`` of one call.
On a loaded machine the ratios use the fastest repeat; CPU time is printed as a second opinion.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from benchmarks.memory import first_call_peak_rss  # noqa: E402
from benchmarks.parity import require_parity  # noqa: E402
from lorentznets.compat.lgatr import load_lgatr_state_dict  # noqa: E402
from lorentznets.layers.gatr import geometric_product  # noqa: E402
from lorentznets.nets.lgatr import LGATr  # noqa: E402

RUNS = ("lgatr", "lgatr packed", "ours")

Outputs = tuple[torch.Tensor, torch.Tensor]


def _config(args) -> dict:
    return dict(
        num_blocks=args.blocks,
        in_mv_channels=1,
        out_mv_channels=1,
        hidden_mv_channels=args.mv_channels,
        in_s_channels=2,
        out_s_channels=1,
        hidden_s_channels=args.s_channels,
        attention={"num_heads": args.heads, "attn_ratio": args.attn_ratio, "head_scale": args.head_scale},
        mlp={"mlp_ratio": args.mlp_ratio},
    )


def _autocast(device: str, enabled: bool) -> contextlib.AbstractContextManager:
    return torch.autocast(device, dtype=torch.bfloat16) if enabled else contextlib.nullcontext()


def _step(forward: Callable[[], Outputs], device: str, autocast: bool) -> None:
    with _autocast(device, autocast):
        mv, out_s = forward()
        loss = mv.float().square().mean() + out_s.float().square().mean()
    loss.backward()


def _time(fn) -> tuple[float, float]:
    """Wall-clock and process CPU seconds of one call (CPU time is steadier on a shared machine)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, time.process_time() - start_cpu


def _gpu_peak_memory(fn) -> float:
    """Allocator peak of one call in MiB over the memory allocated before it."""
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    fn()
    return (torch.cuda.max_memory_allocated() - base) / 2**20


def _cpu_peak_memory(name: str) -> float:
    """Run this script again for net ``name`` alone and read the first step's peak memory."""
    command = [sys.executable, __file__, *sys.argv[1:], "--memory-of", name]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[-1])


def _parity(
    nets: list[torch.nn.Module],
    forwards: dict[str, Callable[[], Outputs]],
    real: dict[str, Callable[[torch.Tensor], torch.Tensor]],
    device: str,
    autocast: bool,
) -> tuple[dict[str, float], float]:
    """Largest difference of each run's outputs to lgatr's (padded) on the real particles.

    Parameters
    ----------
    nets : list of torch.nn.Module
        Put in evaluation mode for the check and back in training mode after it.
    forwards : dict of str to callable
        The timed forward calls, returning multivector (..., 1, 16) and scalar (..., 1) outputs.
    real : dict of str to callable
        For each run, a map from its outputs to those of the real particles, shape (R, ...).
    device : str
    autocast : bool
        bf16 autocast, as in the timed calls.

    Returns
    -------
    dict of str to float
        Largest |difference| (multivector and scalar outputs together) per run other than lgatr's.
    float
        Largest |output| of lgatr's run, the scale of the differences.
    """
    for net in nets:
        net.eval()
    with torch.no_grad(), _autocast(device, autocast):
        outputs = {name: [real[name](t).float() for t in fn()] for name, fn in forwards.items()}
    for net in nets:
        net.train()
    differences = {
        name: max(float((a - b).abs().max()) for a, b in zip(out, outputs["lgatr"], strict=True))
        for name, out in outputs.items()
        if name != "lgatr"
    }
    return differences, max(float(t.abs().max()) for t in outputs["lgatr"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--mv-channels", type=int, default=16)
    parser.add_argument("--s-channels", type=int, default=32)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--attn-ratio", type=int, default=1, help="attention channels per head x this (paper: 2)")
    parser.add_argument("--mlp-ratio", type=int, default=4, help="MLP hidden channels x this (paper: 2)")
    parser.add_argument("--head-scale", action="store_true", help="a learnable scale per head (paper: on)")
    parser.add_argument("--jets", type=int, default=32)
    parser.add_argument("--particles", type=int, default=50, help="particles per jet (max)")
    parser.add_argument("--min-particles", type=int, default=None, help="random sizes in [min, max]")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast (GPU)")
    parser.add_argument("--ablate", action="store_true", help="also time ours with single optimisations undone")
    parser.add_argument("--memory-of", choices=RUNS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    import lgatr

    official = lgatr.LGATr(**_config(args)).to(device)
    ours = load_lgatr_state_dict(LGATr(**_config(args)), official.state_dict()).to(device)
    x = torch.randn(args.jets, args.particles, 1, 16, device=device)
    s = torch.randn(args.jets, args.particles, 2, device=device)
    low = args.min_particles or args.particles
    lengths = torch.randint(low, args.particles + 1, (args.jets,), device=device)
    mask = torch.arange(args.particles, device=device) < lengths[:, None]
    # lgatr takes a boolean attention mask through its SDPA kwargs: padded, a key mask per jet;
    # packed, one sequence of all real particles attending only within their own jet.
    attn_mask = mask[:, None, None, :]
    packed_x, packed_s = x[mask], s[mask]
    jet_of = torch.repeat_interleave(torch.arange(args.jets, device=device), lengths)
    block_mask = (jet_of[:, None] == jet_of[None, :])[None, None]
    forwards: dict[str, Callable[[], Outputs]] = {
        "lgatr": lambda: official(x, s, attn_mask=attn_mask),
        "lgatr packed": lambda: official(packed_x[None], packed_s[None], attn_mask=block_mask),
        "ours": lambda: ours(x, s, mask=mask),
    }
    real = {"lgatr": lambda t: t[mask], "lgatr packed": lambda t: t[0], "ours": lambda t: t[mask]}
    if device == "cuda":
        # On a GPU ours takes the batch packed, as a collate function builds it (offsets and the
        # longest jet known on the host): FlexAttention then skips the padding without a sync.
        offsets = torch.cat([lengths.new_zeros(1), lengths.cumsum(0)])
        longest = int(lengths.max())
        forwards["ours"] = lambda: ours(packed_x, packed_s, offsets=offsets, max_length=longest)
        real["ours"] = lambda t: t
    if low == args.particles:  # no padding: packing would only add cross-jet attention to mask out
        del forwards["lgatr packed"]
    runs = {name: (lambda fn=fn: _step(fn, device, args.bf16)) for name, fn in forwards.items()}
    if args.memory_of:  # the subprocess of _cpu_peak_memory
        print(first_call_peak_rss(runs[args.memory_of]))
        return
    n_params = sum(p.numel() for p in official.parameters())
    print(
        f"device {device}, torch {torch.__version__}, lgatr {lgatr.__version__} {conditions()} "
        "(shared machine: figures are noisy)"
    )
    print(
        f"{args.blocks} blocks, {args.mv_channels} mv / {args.s_channels} s channels, {args.heads} heads, "
        f"attention ratio {args.attn_ratio}, MLP ratio {args.mlp_ratio}, head scale {args.head_scale}, "
        f"{n_params} parameters; {args.jets} jets x {low}-{args.particles} particles "
        f"({int(lengths.sum())} real), bf16={args.bf16}"
    )
    differences, scale = _parity([official, ours], forwards, real, device, args.bf16)
    print(
        "parity (evaluation mode, same weights, the timed inputs, real particles): largest |output difference| "
        "to lgatr (padded): "
        + ", ".join(f"{name} {d:.2g}" for name, d in differences.items())
        + f" (largest |output| {scale:.2g}) {conditions()}"
    )
    for name, difference in differences.items():
        require_parity(difference, scale, f"{name} against lgatr (padded)", "bf16" if args.bf16 else "float32")
    if device == "cuda":
        # FLOPs do not depend on the machine (counted on CPU); here the first calls compile kernels.
        for fn in runs.values():
            fn()
    else:
        flops = {}
        for name, fn in runs.items():
            with FlopCounterMode(display=False) as counter:
                fn()  # also the warm-up
            flops[name] = counter.get_total_flops() / 1e9
        print(
            "matrix-product GFLOP per fwd+bwd (torch FLOP counter): "
            + ", ".join(f"{name} {f:.1f}" for name, f in flops.items())
            + f" (ours {flops['lgatr'] / flops['ours']:.1f}x fewer than lgatr padded)"
        )
    times = {name: [] for name in runs}
    cpu = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            wall, used = _time(fn)
            times[name].append(wall)
            cpu[name].append(used)
    if device == "cuda":
        memory = {name: _gpu_peak_memory(fn) for name, fn in runs.items()}
    else:
        memory = {name: _cpu_peak_memory(name) for name in runs}
    for name in runs:
        print(
            f"{name:12s} fwd+bwd wall median {statistics.median(times[name]):.3f} s "
            f"(min {min(times[name]):.3f}), CPU time min {min(cpu[name]):.3f} s, "
            f"peak memory {memory[name]:.0f} MiB {conditions()}"
        )
    # On a loaded machine the minimum is the least disturbed estimate; medians are printed too.
    for reference in (name for name in runs if name != "ours"):
        ratio = min(times[reference]) / min(times["ours"])
        median_ratio = statistics.median(times[reference]) / statistics.median(times["ours"])
        cpu_ratio = min(cpu[reference]) / min(cpu["ours"])
        print(
            f"throughput ours/{reference}: {ratio:.2f}x wall (min), {median_ratio:.2f}x wall (median), "
            f"{cpu_ratio:.2f}x CPU time (min); "
            f"peak memory ours/{reference}: {memory['ours'] / max(memory[reference], 1e-9):.2f} {conditions()}"
        )
    if args.ablate:  # on the padded call, whose packing the ablation switches off

        def padded_step() -> None:
            _step(lambda: ours(x, s, mask=mask), device, args.bf16)

        _ablate(ours, padded_step, min(times["ours"]), args.repeats)


@contextlib.contextmanager
def _undone(ours: LGATr, optimisation: str):
    """Temporarily switch one optimisation of ``ours`` off."""
    if optimisation == "cache-sized geometric-product chunks":
        saved, geometric_product.CHUNK_ROWS = geometric_product.CHUNK_ROWS, 2**40
        try:
            yield
        finally:
            geometric_product.CHUNK_ROWS = saved
    else:  # packing variable-length jets instead of padding
        ours.pack_padded = False
        try:
            yield
        finally:
            ours.pack_padded = True


def _ablate(ours: LGATr, step, best: float, repeats: int) -> None:
    """Print what each optimisation buys: the slowdown of ours with it undone."""
    for optimisation in ("cache-sized geometric-product chunks", "packing instead of padding"):
        with _undone(ours, optimisation):
            step()
            undone = min(_time(step)[0] for _ in range(repeats))
        print(f"ablation: without {optimisation}: {undone:.3f} s, so it buys {undone / best:.2f}x")


if __name__ == "__main__":
    main()
