"""Forward+backward time and peak memory of our LGATr against the official ``lgatr.LGATr``.

Both nets get the same configuration and the same weights (ours loaded through
:func:`lorentznets.compat.lgatr.load_lgatr_state_dict`), the same inputs, and are timed in the
same process, alternating. Usage::

    python benchmarks/bench_lgatr.py                      # small default, ~1-2 min on 2 cores
    python benchmarks/bench_lgatr.py --blocks 12 --jets 64 --particles 100   # paper tagging size

Memory is the peak resident-set growth during one forward+backward on CPU (tracemalloc does
not see torch allocations) and ``torch.cuda.max_memory_allocated`` on GPU.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from lorentznets.compat.lgatr import load_lgatr_state_dict  # noqa: E402
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


def _time(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return times


def _peak_memory(fn, device: str) -> float:
    """Peak memory of one call in MiB; on CPU meaningful only in a fresh process (see main)."""
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        fn()
        return (torch.cuda.max_memory_allocated() - base) / 2**20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def _memory_in_subprocess(name: str) -> float:
    # ru_maxrss never decreases, so each net's first step runs in its own fresh process.
    argv = [sys.executable, __file__, *sys.argv[1:], "--memory-of", name]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


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
    parser.add_argument("--memory-of", choices=("ours", "lgatr"), help=argparse.SUPPRESS)
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
    n_params = sum(p.numel() for p in official.parameters())
    print(f"device {device}, torch {torch.__version__}, lgatr {lgatr.__version__}, threads {args.threads}")
    print(
        f"{args.blocks} blocks, {args.mv_channels} mv / {args.s_channels} s channels, {args.heads} heads, "
        f"{n_params} parameters; {args.jets} jets x {low}-{args.particles} particles "
        f"({int(lengths.sum())} real), bf16={args.bf16}"
    )

    # lgatr takes an additive/boolean attention mask through its SDPA kwargs.
    attn_mask = mask[:, None, None, :]
    runs = {
        "lgatr": lambda: _step(official, x, s, device, args.bf16, attn_mask=attn_mask),
        "ours": lambda: _step(ours, x, s, device, args.bf16, mask=mask),
    }
    if args.memory_of:
        print(_peak_memory(runs[args.memory_of], device))
        return
    for fn in runs.values():
        fn()  # warm up
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, fn in runs.items():
            times[name] += _time(fn, 1)
    if device == "cuda":
        memory = {name: _peak_memory(fn, device) for name, fn in runs.items()}
    else:
        memory = {name: _memory_in_subprocess(name) for name in runs}
    for name in runs:
        print(
            f"{name:6s} fwd+bwd median {statistics.median(times[name]):.3f} s "
            f"(min {min(times[name]):.3f}), peak memory {memory[name]:.0f} MiB"
        )
    ratio = statistics.median(times["lgatr"]) / statistics.median(times["ours"])
    print(
        f"throughput ours/lgatr: {ratio:.2f}x; peak memory ours/lgatr: "
        f"{memory['ours'] / max(memory['lgatr'], 1e-9):.2f}"
    )


if __name__ == "__main__":
    main()
