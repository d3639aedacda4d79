"""Forward+backward time and peak memory of our LGATr against the official ``lgatr.LGATr``.

Both nets get the same configuration and the same weights (ours loaded through
:func:`lorentznets.compat.lgatr.load_lgatr_state_dict`), the same inputs, and are timed in the
same process, alternating. Usage::

    python benchmarks/bench_lgatr.py                      # small default, ~1-2 min on 2 cores
    python benchmarks/bench_lgatr.py --blocks 12 --jets 64 --particles 100   # paper tagging size
    python benchmarks/bench_lgatr.py --min-particles 10 --ablate   # variable length, per-optimisation gains

FLOPs come from torch's FLOP counter (matrix products only), a machine-independent measure.
Memory on CPU is the peak resident-set growth of the first forward+backward, each net in a fresh
subprocess (in one process the second net reuses memory the first one freed); on GPU it is
``torch.cuda.max_memory_allocated`` of one call.
On a loaded machine the ratios use the fastest repeat; CPU time is printed as a second opinion.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.memory import first_call_peak_rss  # noqa: E402
from lorentznets.compat.lgatr import load_lgatr_state_dict  # noqa: E402
from lorentznets.layers.gatr import geometric_product  # noqa: E402
from lorentznets.nets.lgatr import LGATr  # noqa: E402


def _config(args) -> dict:
    return dict(
        num_blocks=args.blocks,
        in_mv_channels=1,
        out_mv_channels=1,
        hidden_mv_channels=args.mv_channels,
        in_s_channels=2,
        out_s_channels=1,
        hidden_s_channels=args.s_channels,
        attention={"num_heads": args.heads},
        mlp={},
    )


def _step(net, x, s, device, autocast, **kwargs) -> None:
    ctx = torch.autocast(device, dtype=torch.bfloat16) if autocast else contextlib.nullcontext()
    with ctx:
        mv, out_s = net(x, s, **kwargs)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--mv-channels", type=int, default=16)
    parser.add_argument("--s-channels", type=int, default=32)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--jets", type=int, default=32)
    parser.add_argument("--particles", type=int, default=50, help="particles per jet (max)")
    parser.add_argument("--min-particles", type=int, default=None, help="random sizes in [min, max]")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast (GPU)")
    parser.add_argument("--ablate", action="store_true", help="also time ours with single optimisations undone")
    parser.add_argument("--memory-of", choices=["lgatr", "ours"], help=argparse.SUPPRESS)
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
    # lgatr takes an additive/boolean attention mask through its SDPA kwargs.
    attn_mask = mask[:, None, None, :]
    runs = {
        "lgatr": lambda: _step(official, x, s, device, args.bf16, attn_mask=attn_mask),
        "ours": lambda: _step(ours, x, s, device, args.bf16, mask=mask),
    }
    if device == "cuda":
        # On a GPU ours takes the batch packed, as a collate function builds it (offsets and the
        # longest jet known on the host): FlexAttention then skips the padding without a sync.
        offsets = torch.cat([lengths.new_zeros(1), lengths.cumsum(0)])
        packed_x, packed_s, longest = x[mask], s[mask], int(lengths.max())
        runs["ours"] = lambda: _step(ours, packed_x, packed_s, device, args.bf16, offsets=offsets, max_length=longest)
    if args.memory_of:  # the subprocess of _cpu_peak_memory
        print(first_call_peak_rss(runs[args.memory_of]))
        return
    n_params = sum(p.numel() for p in official.parameters())
    print(
        f"device {device}, torch {torch.__version__}, lgatr {lgatr.__version__}, threads {args.threads}, "
        f"load {os.getloadavg()[0]:.1f} (shared machine: figures are noisy)"
    )
    print(
        f"{args.blocks} blocks, {args.mv_channels} mv / {args.s_channels} s channels, {args.heads} heads, "
        f"{n_params} parameters; {args.jets} jets x {low}-{args.particles} particles "
        f"({int(lengths.sum())} real), bf16={args.bf16}"
    )
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
            f"matrix-product GFLOP per fwd+bwd (torch FLOP counter): lgatr {flops['lgatr']:.1f}, "
            f"ours {flops['ours']:.1f} ({flops['lgatr'] / flops['ours']:.1f}x fewer)"
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
            f"{name:6s} fwd+bwd wall median {statistics.median(times[name]):.3f} s "
            f"(min {min(times[name]):.3f}), CPU time min {min(cpu[name]):.3f} s, "
            f"peak memory {memory[name]:.0f} MiB"
        )
    # On a loaded machine the minimum is the least disturbed estimate; medians are printed too.
    ratio = min(times["lgatr"]) / min(times["ours"])
    median_ratio = statistics.median(times["lgatr"]) / statistics.median(times["ours"])
    cpu_ratio = min(cpu["lgatr"]) / min(cpu["ours"])
    print(
        f"throughput ours/lgatr: {ratio:.2f}x wall (min), {median_ratio:.2f}x wall (median), "
        f"{cpu_ratio:.2f}x CPU time (min); "
        f"peak memory ours/lgatr: {memory['ours'] / max(memory['lgatr'], 1e-9):.2f}"
    )
    if args.ablate:
        _ablate(ours, lambda: _step(ours, x, s, device, args.bf16, mask=mask), min(times["ours"]), args.repeats)


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
