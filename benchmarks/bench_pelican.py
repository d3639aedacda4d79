"""Throughput and peak memory of our PELICAN against pelican-lite at equal size (CPU or CUDA).

Both networks get the same jets, the same dot-product encoder (ours, applied to the pair
entries each one uses), the same number of blocks and channels (pelican-lite's
``increase_hidden_channels=1`` matches ``message_channels = hidden_channels``), mean aggregation
and a 2->0 readout. pelican-lite runs on a sparse edge list, ours on dense padded pairs. We time
forward + backward of a training step (median of repeats) and measure the peak resident memory
the first step adds, each model in a fresh subprocess (on CUDA: the allocator peak of the second
step), in two settings:

- ``fixed``: every jet has exactly N constituents;
- ``variable``: multiplicities drawn uniformly in [N/4, N] and padded to the batch maximum.

pelican-lite is run both with self-pairs (``remove_self_loops=False``, the same function as ours,
all 15 maps) and with its default (self-pairs dropped, 5 of the 15 maps vanish).

Usage: ``python benchmarks/bench_pelican.py [--batch 64] [--particles 50] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.memory import first_call_peak_rss  # noqa: E402
from lorentznets.layers.pelican import DotProductEncoder
from lorentznets.lorentz import minkowski_dot
from lorentznets.nets.pelican import PELICAN


def make_jets(batch: int, n: int, variable: bool, generator: torch.Generator):
    if variable:
        counts = torch.randint(n // 4, n + 1, (batch,), generator=generator)
    else:
        counts = torch.full((batch,), n)
    width = int(counts.max())
    mask = torch.arange(width)[None, :] < counts[:, None]
    p3 = torch.randn(batch, width, 3, generator=generator) * 30
    p = torch.cat((p3.norm(dim=-1, keepdim=True) + 0.1, p3), dim=-1) * mask[..., None]
    return p / 100.0, mask


MODELS = ("lorentznets", "pelican-lite (self-pairs)", "pelican-lite (default)")


class LiteWrapper(torch.nn.Module):
    """pelican-lite fed with our encoder on its edge list."""

    def __init__(self, hidden: int, blocks: int, encoder_channels: int, self_pairs: bool):
        super().__init__()
        from pelican import PELICAN as LitePELICAN

        self.encoder = DotProductEncoder(encoder_channels)
        self.self_pairs = self_pairs
        self.net = LitePELICAN(
            in_channels_rank2=encoder_channels,
            in_channels_rank1=0,
            in_channels_rank0=0,
            out_rank=0,
            out_channels=2,
            num_blocks=blocks,
            hidden_channels=hidden,
            increase_hidden_channels=1.0,
            aggr="mean",
        )

    def forward(self, p: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        from pelican.utils import get_batch_from_ptr, get_edge_index_from_ptr

        counts = mask.sum(dim=1)
        flat = p[mask]
        ptr = torch.cat((counts.new_zeros(1), counts.cumsum(0)))
        edge_index = get_edge_index_from_ptr(ptr, flat.shape, remove_self_loops=not self.self_pairs)
        batch = get_batch_from_ptr(ptr)
        dots = minkowski_dot(flat[edge_index[0]], flat[edge_index[1]])
        edges = self.encoder(dots, torch.ones_like(dots, dtype=torch.bool))
        return self.net(edge_index, batch, in_rank2=edges, num_graphs=p.shape[0])


def build(name: str, args: argparse.Namespace) -> torch.nn.Module:
    if name == "lorentznets":
        return PELICAN(
            out_channels=2,
            hidden_channels=args.hidden,
            message_channels=args.hidden,
            num_blocks=args.blocks,
            encoder_channels=args.encoder_channels,
            readout_channels=args.hidden,
        )
    self_pairs = name == "pelican-lite (self-pairs)"
    return LiteWrapper(args.hidden, args.blocks, args.encoder_channels, self_pairs)


def worker(args: argparse.Namespace) -> None:
    """Measure one model in this (fresh) process and print a JSON line."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    p, mask = make_jets(args.batch, args.particles, args.setting == "variable", torch.Generator().manual_seed(1))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = build(args.worker, args).to(device)
    p, mask = p.to(device), mask.to(device)
    labels = torch.zeros(p.shape[0], dtype=torch.long, device=device)

    def step():
        model.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(p, mask), labels).backward()
        if device == "cuda":
            torch.cuda.synchronize()

    if device == "cuda":
        step()  # warm-up: kernels selected, allocator filled
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
        step()
        peak_mib = (torch.cuda.max_memory_allocated() - base) / 2**20
    else:
        # Peak resident memory of the first training step over the state before it (model, data
        # and interpreter already resident); later steps reuse freed memory, so only the first counts.
        peak_mib = first_call_peak_rss(step)
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    seconds = sorted(times)[len(times) // 2]
    print(
        json.dumps(
            {
                "jets_per_s": args.batch / seconds,
                "peak_mib": peak_mib,
                "width": p.shape[1],
                "mean": float(mask.sum(1).float().mean()),
                "device": device,
                "load": os.getloadavg()[0],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--particles", type=int, default=50)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--blocks", type=int, default=4)
    parser.add_argument("--encoder-channels", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--setting", default="fixed", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args)
        return

    print(
        f"# {datetime.date.today()} | {platform.machine()}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f} | torch {torch.__version__} | {args.threads} threads | "
        f"batch {args.batch}, N {args.particles}, hidden {args.hidden}, blocks {args.blocks}"
    )
    for setting in ("fixed", "variable"):
        results = {}
        for name in MODELS:
            command = [sys.executable, __file__, *sys.argv[1:], "--worker", name, "--setting", setting]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            results[name] = json.loads(out.strip().splitlines()[-1])
        info = results["lorentznets"]
        print(f"\n{setting} multiplicity (padded width {info['width']}, mean {info['mean']:.1f})")
        print(f"{'model':28s} {'jets/s':>10s} {'peak MiB':>10s}  device, load")
        for name, r in results.items():
            print(f"{name:28s} {r['jets_per_s']:10.1f} {r['peak_mib']:10.1f}  {r['device']}, {r['load']:.1f}")
        for name, r in results.items():
            if name != "lorentznets":
                print(
                    f"lorentznets vs {name}: throughput x{info['jets_per_s'] / r['jets_per_s']:.2f}, "
                    f"peak memory x{r['peak_mib'] / max(info['peak_mib'], 1e-3):.2f} smaller"
                )


if __name__ == "__main__":
    main()
