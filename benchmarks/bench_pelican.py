"""Throughput and peak memory of our PELICAN against pelican-lite at equal size (CPU or CUDA).

Both networks get the same jets, the same dot-product encoder (ours, applied to the pair
entries each one uses), the same number of blocks and channels (pelican-lite's
``increase_hidden_channels=1`` matches ``message_channels = hidden_channels``), mean aggregation
and a 2->0 readout. pelican-lite runs on a sparse edge list, ours on dense padded pairs.

The two do not share weights, so there is no output parity to check: pelican-lite's weights cannot
be mapped onto ours. Its aggregations are plain means with one learnable multiplier per map and no
bias, its first layer is a 2->2 aggregation of the encoded inputs and its 2->0 readout is the last
layer; ours rescales every aggregation by a learnable (n / N_avg) ** alpha per channel, has a bias
and a diagonal bias in every 2->2 layer, starts with a linear message layer and ends with a
two-layer MLP after the readout. So the comparison is at equal blocks and channels (the parameter
counts are printed) with each side's own random initialisation (seed 0).

We time forward + backward of a training step, all models in one process with their repeats
interleaved (model A, B, C, A, B, C, ...), after one untimed warm-up call each; the figures are the
fastest repeat, in process CPU time (steadier on a shared machine) and wall time (on CUDA wall time
first, synchronised: CPU time there counts only the kernel launches), printed with the torch thread
count and the load average. Peak memory is that of the first training step over the
state before it, each model in a fresh subprocess (on CUDA: the allocator peak of one step after
the timed ones). Two settings:

- ``fixed``: every jet has exactly N constituents;
- ``variable``: multiplicities drawn uniformly in [N/4, N] and padded to the batch maximum.

pelican-lite is run both with self-pairs (``remove_self_loops=False``, the same function class as
ours, all 15 maps) and with its default (self-pairs dropped, 5 of the 15 maps vanish).

Usage: ``python benchmarks/bench_pelican.py [--batch 64] [--particles 50] [--repeats 5] [--threads 1]``
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from benchmarks.memory import first_call_peak_rss  # noqa: E402
from lorentznets.layers.pelican import DotProductEncoder  # noqa: E402
from lorentznets.lorentz import minkowski_dot  # noqa: E402
from lorentznets.nets.pelican import PELICAN  # noqa: E402


def make_jets(batch: int, n: int, variable: bool, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Random massive jets: momenta (B, W, 4) in units of 100 GeV and mask (B, W), W the longest jet."""
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
    """The model ``name`` of :data:`MODELS` at the size given by ``args``."""
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


class Run(NamedTuple):
    """A model's training step on its setting's jets, with what the tables print about it."""

    step: Callable[[], None]
    parameters: int
    width: int
    mean: float


def training_step(name: str, args: argparse.Namespace, variable: bool, device: str) -> Run:
    """One forward + backward of model ``name`` (seed 0) on the setting's jets."""
    torch.manual_seed(0)
    p, mask = make_jets(args.batch, args.particles, variable, torch.Generator().manual_seed(1))
    model = build(name, args).to(device)
    p, mask = p.to(device), mask.to(device)
    labels = torch.zeros(p.shape[0], dtype=torch.long, device=device)

    def step() -> None:
        model.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(p, mask), labels).backward()
        if device == "cuda":
            torch.cuda.synchronize()

    parameters = sum(x.numel() for x in model.parameters())
    return Run(step, parameters, p.shape[1], float(mask.sum(1).float().mean()))


def worker(args: argparse.Namespace) -> None:
    """Peak memory of one model's first training step, in this fresh process; prints a JSON line."""
    torch.set_num_threads(args.threads)
    run = training_step(args.worker, args, args.setting == "variable", "cpu")
    print(json.dumps({"peak_mib": first_call_peak_rss(run.step)}))


def cpu_peak_mib(name: str, setting: str) -> float:
    """Peak CPU memory of ``name``'s first step, measured by :func:`worker` in a fresh process."""
    command = [sys.executable, __file__, *sys.argv[1:], "--worker", name, "--setting", setting]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_mib"]


def cuda_peak_mib(step: Callable[[], None]) -> float:
    """Allocator peak of one step in MiB over the memory allocated before it."""
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    step()
    return (torch.cuda.max_memory_allocated() - base) / 2**20


def clocks(device: str, cpu: dict[str, float], wall: dict[str, float]) -> list[tuple[str, dict[str, float]]]:
    """The two clocks' fastest times, the one that measures the work first.

    On CUDA process CPU time counts only the host's kernel launches while the GPU computes, so the
    synchronised wall clock comes first; on the CPU, process CPU time (steadier on a shared machine).

    Returns
    -------
    list of (str, dict of str to float)
        ``("CPU", cpu)`` and ``("wall", wall)`` in that order.
    """
    ordered = [("CPU", cpu), ("wall", wall)]
    return ordered[::-1] if device == "cuda" else ordered


def measure(setting: str, args: argparse.Namespace, device: str) -> None:
    """Time the models of one setting interleaved and print their figures and ratios."""
    runs = {name: training_step(name, args, setting == "variable", device) for name in MODELS}
    steps = {name: run.step for name, run in runs.items()}
    for step in steps.values():
        step()  # warm-up
    wall = {name: float("inf") for name in steps}
    cpu = {name: float("inf") for name in steps}
    for _ in range(args.repeats):
        for name, step in steps.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            step()
            wall[name] = min(wall[name], time.perf_counter() - start)
            cpu[name] = min(cpu[name], time.process_time() - start_cpu)
    if device == "cuda":
        memory = {name: cuda_peak_mib(step) for name, step in steps.items()}
    else:
        memory = {name: cpu_peak_mib(name, setting) for name in steps}
    ours = runs["lorentznets"]
    print(f"\n{setting} multiplicity (padded width {ours.width}, mean {ours.mean:.1f}), {device} {conditions()}")
    order = clocks(device, cpu, wall)
    columns = " ".join(f"{'jets/s ' + clock:>11s}" for clock, _ in order)
    print(f"{'model':28s} {'parameters':>10s} {columns} {'peak MiB':>10s}")
    for name, run in runs.items():
        rates = " ".join(f"{args.batch / times[name]:11.1f}" for _, times in order)
        print(f"{name:28s} {run.parameters:10d} {rates} {memory[name]:10.1f}")
    for name in steps:
        if name != "lorentznets":
            ratios = ", ".join(
                f"x{times[name] / times['lorentznets']:.2f} {'in CPU time' if clock == 'CPU' else 'wall'}"
                for clock, times in order
            )
            print(
                f"lorentznets vs {name}: throughput {ratios}, "
                f"peak memory ours/theirs x{memory['lorentznets'] / max(memory[name], 1e-3):.2f} {conditions()}"
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
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"# {datetime.date.today()} | {platform.machine()}, {os.cpu_count()} cores | torch {torch.__version__}, "
        f"pelican-lite {importlib.metadata.version('pelican-lite')} | batch {args.batch}, N {args.particles}, "
        f"hidden {args.hidden}, blocks {args.blocks} | fastest of {args.repeats} interleaved repeats "
        f"{conditions()}"
    )
    print(
        "parity: not checked, pelican-lite's weights cannot be mapped onto ours (different layers, see the "
        "docstring): equal blocks and channels, each side's own initialisation"
    )
    for setting in ("fixed", "variable"):
        measure(setting, args, device)


if __name__ == "__main__":
    main()
