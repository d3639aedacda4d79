"""Throughput and peak memory of our LorentzNet against the official code's computation, on padded jets.

"Official" here is OUR re-implementation of the computation strategy of the LorentzNet authors'
code (github gongshiqi/LorentzNet-release, not on PyPI), written from its semantics, not its
code: the collate function drops padding columns unused by every jet of the batch and builds the
edge list of all ordered pairs of real particles jet by jet on the host; each block gathers
``[h_i, h_j, psi(|x_i - x_j|^2), psi(x_i . x_j)]`` per edge, runs phi_e, phi_m and phi_x on the
edges and aggregates with ``index_add_`` (its ``unsorted_segment_sum`` / ``_mean``); the readout
averages over the padded length. It has the original module names, so it loads our weights through
:func:`lorentznets.compat.lorentznet.to_official_state_dict`, and the benchmark checks (float64)
that it gives our outputs before timing anything: in evaluation mode on the first four timed jets,
and with ``--train`` also in training mode on four jets without padding. In training mode on padded jets the two
differ by design (printed with the difference): the official phi_h BatchNorm takes its batch
statistics over the padded nodes too, ours over the real particles only.

Compared, at equal weights and inputs (quark-gluon layout: 8 one-hot scalars, 72 hidden, 6 blocks):

- ``ours (real pairs)``: :class:`~lorentznets.nets.LorentzNet` with ``edges=real_pairs(mask)``;
- ``official``: the re-implementation above;
- ``ours (padded grid)``: :class:`~lorentznets.nets.LorentzNet` without ``edges`` (the previous,
  dense computation over the padded (B, N, N) grid), unless ``--no-dense``.

``--net lgn`` times :class:`~lorentznets.nets.LGN` (the paper's top tagger, channels 2-3-4-3)
with and without ``edges``, i.e. against our own previous dense computation: no official LGN
code is installable here.

Jets have uniformly drawn multiplicities in [--min-particles, --max-particles] and are padded to
--pad. Times are forward passes in evaluation mode without gradients (``--train``: forward and
backward in training mode) after one untimed call of each; the models alternate within every
repeat and the fastest repeat counts. Building the edge list (ours: ``real_pairs``; official: its
collate) is timed on its own and not included. ``--compile`` runs the nets (both LorentzNets, or
LGN) through ``torch.compile(dynamic=True)`` (as ``training.compile=true`` does for ours); the
untimed call compiles. Peak memory: CPU, peak resident-set growth of the first call, each model
in a fresh subprocess; CUDA, ``torch.cuda.max_memory_allocated`` of one call after the timed
ones, in the same process.

Usage::

    python benchmarks/bench_lorentznet.py                       # 16 jets, 10-200 constituents padded to 200
    python benchmarks/bench_lorentznet.py --batch 256 --device cuda   # a GPU-sized batch
    python benchmarks/bench_lorentznet.py --net lgn --batch 8         # LGN, edge list vs padded grid
    python benchmarks/bench_lorentznet.py --train --no-dense --compile  # both compiled
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from benchmarks.device import requested_device  # noqa: E402
from benchmarks.memory import first_call_peak_rss  # noqa: E402
from lorentznets.compat.lorentznet import to_official_state_dict  # noqa: E402
from lorentznets.layers.lorentznet import real_pairs  # noqa: E402
from lorentznets.nets.lgn import LGN  # noqa: E402
from lorentznets.nets.lorentznet import LorentzNet  # noqa: E402

MODELS = {
    "lorentznet": ("ours (real pairs)", "official", "ours (padded grid)"),
    "lgn": ("ours (real pairs)", "ours (padded grid)"),
}
NUM_SCALARS = 8
#: Particles of each jet in the training-mode parity check without padding: the float64 check on
#: jets of 200 took 26 s of a 45 s GPU-check step on the CPU; jets of 50 run the same code.
UNPADDED_PARTICLES = 50


def _psi(x: torch.Tensor) -> torch.Tensor:
    return torch.sign(x) * torch.log(x.abs() + 1)


def _minkowski(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    # written as the original code does (2 a0 b0 - sum_mu a_mu b_mu), which rounds differently
    prod = a * b
    return 2 * prod[:, 0] - prod.sum(dim=-1)


def _segment_sum(data: torch.Tensor, segments: torch.Tensor, count: int) -> torch.Tensor:
    return data.new_zeros(count, data.shape[1]).index_add_(0, segments, data)


class OfficialLGEB(nn.Module):
    """One block as the original computes it, on a flat edge list (module names as the original)."""

    def __init__(self, hidden: int, n_scalar: int, c_weight: float, last: bool):
        super().__init__()
        self.c_weight, self.last = c_weight, last
        self.phi_e = nn.Sequential(
            nn.Linear(2 * hidden + 2, hidden, bias=False),
            nn.BatchNorm1d(hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.phi_h = nn.Sequential(
            nn.Linear(2 * hidden + n_scalar, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, hidden)
        )
        self.phi_m = nn.Sequential(nn.Linear(hidden, 1), nn.Sigmoid())
        if not last:
            self.phi_x = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1, bias=False))

    def forward(self, h, x, edges, node_attr):
        i, j = edges
        x_diff = x[i] - x[j]
        norms = _psi(_minkowski(x_diff, x_diff))[:, None]
        dots = _psi(_minkowski(x[i], x[j]))[:, None]
        m = self.phi_e(torch.cat([h[i], h[j], norms, dots], dim=1))
        m = m * self.phi_m(m)
        if not self.last:
            trans = torch.clamp(x_diff * self.phi_x(m), min=-100, max=100)
            total = _segment_sum(trans, i, x.shape[0])
            count = _segment_sum(torch.ones_like(trans), i, x.shape[0])
            x = x + self.c_weight * total / count.clamp(min=1)
        agg = torch.cat([h, _segment_sum(m, i, h.shape[0]), node_attr], dim=1)
        return h + self.phi_h(agg), x


class OfficialLorentzNet(nn.Module):
    """The original network on flattened nodes (B * N, ...) and an edge list."""

    def __init__(self, n_scalar: int, hidden: int, n_class: int, blocks: int, c_weight: float):
        super().__init__()
        self.hidden = hidden
        self.embedding = nn.Linear(n_scalar, hidden)
        self.LGEBs = nn.ModuleList(
            OfficialLGEB(hidden, n_scalar, c_weight, last=k == blocks - 1) for k in range(blocks)
        )
        self.graph_dec = nn.Sequential(
            nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(0.0), nn.Linear(hidden, n_class)
        )

    def forward(self, scalars, x, edges, node_mask, n_nodes):
        h = self.embedding(scalars)
        for block in self.LGEBs:
            h, x = block(h, x, edges, scalars)
        h = (h * node_mask).view(-1, n_nodes, self.hidden).mean(dim=1)
        return self.graph_dec(h)


def official_collate(scalars: torch.Tensor, p: torch.Tensor, mask: torch.Tensor):
    """The original collate: drop padding columns no jet uses, flatten, build the edges jet by jet."""
    keep = mask.any(dim=0)
    scalars, p, mask = scalars[:, keep], p[:, keep], mask[:, keep]
    batch, n = mask.shape
    not_self = ~np.eye(n, dtype=bool)
    rows, cols = [], []
    for b, jet in enumerate(mask.cpu().numpy()):
        i, j = np.nonzero(jet[:, None] & jet[None, :] & not_self)
        rows.append(b * n + i)
        cols.append(b * n + j)
    edges = [torch.from_numpy(np.concatenate(v)).to(p.device) for v in (rows, cols)]
    flat = (scalars.reshape(batch * n, -1), p.reshape(batch * n, 4), edges, mask.reshape(-1, 1).to(p.dtype), n)
    return flat, (scalars, p, mask)


def make_jets(batch: int, low: int, high: int, pad: int, seed: int):
    """Quark-gluon-like jets: one-hot PID scalars, nearly massless constituents around the z axis, GeV."""
    g = torch.Generator().manual_seed(seed)
    counts = torch.randint(low, high + 1, (batch,), generator=g)
    mask = torch.arange(pad)[None, :] < counts[:, None]
    energy = 25 * -torch.rand(batch, pad, generator=g, dtype=torch.float64).log() + 0.5
    direction = 0.2 * torch.randn(batch, pad, 3, generator=g, dtype=torch.float64)
    direction[..., 2] += 1
    direction = direction / direction.norm(dim=-1, keepdim=True)
    p = torch.cat((energy[..., None], energy[..., None] * direction * 0.9999), dim=-1)
    pid = torch.randint(0, NUM_SCALARS, (batch, pad), generator=g)
    scalars = nn.functional.one_hot(pid, NUM_SCALARS).double()
    return scalars * mask[..., None], p * mask[..., None], mask


def benchmark_jets(args, device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The timed batch, float32 on ``device``."""
    scalars, p, mask = make_jets(args.batch, args.min_particles, args.max_particles, args.pad, seed=1)
    return scalars.float().to(device), p.float().to(device), mask.to(device)


def build_pair(seed: int = 0) -> tuple[LorentzNet, OfficialLorentzNet]:
    """Our net (official mode) with random weights and batch-norm statistics, and the original with the same."""
    torch.manual_seed(seed)
    ours = LorentzNet(NUM_SCALARS, 2, hidden_channels=72, num_blocks=6, c_weight=1e-3, official=True)
    with torch.no_grad():
        for name, buffer in ours.named_buffers():
            if name.endswith("running_mean"):
                buffer.normal_(0, 0.2)
            elif name.endswith("running_var"):
                buffer.uniform_(0.5, 2.0)
        for block in ours.blocks:
            if block.update_momenta:
                block.coord_out.weight.normal_(0, 0.3)  # a visible coordinate update
    official = OfficialLorentzNet(NUM_SCALARS, 72, 2, 6, 1e-3)
    official.load_state_dict(to_official_state_dict(ours, prefix=""))
    return ours.eval(), official.eval()


def parity_difference(
    ours: LorentzNet, official: OfficialLorentzNet, jets, train: bool = False, dense: bool = True
) -> tuple[float, float]:
    """Largest float64 output difference of our computations to the official one.

    Parameters
    ----------
    ours, official : LorentzNet, OfficialLorentzNet
        Nets with the same weights (from :func:`build_pair`); cast to float64 and put in training
        mode (batch statistics in every BatchNorm) or evaluation mode (running statistics).
    jets : tuple of torch.Tensor
        Scalars (B, N, 8), momenta (B, N, 4) in GeV and mask (B, N), as :func:`make_jets` gives them.
    train : bool
    dense : bool
        Also compare ours on the padded grid (the costliest of the three in float64 on the CPU:
        skipped when that computation is not timed, ``--no-dense``).

    Returns
    -------
    tuple of float
        The largest |difference| of ours with real pairs (and on the padded grid, with ``dense``) to
        the official, and the largest |official output|.
    """
    ours64, official64 = ours.double().train(train), official.double().train(train)
    flat, (s, q, m) = official_collate(*jets)
    with torch.no_grad():
        reference = official64(*flat)
        outputs = [ours64(s, q, m, real_pairs(m))] + ([ours64(s, q, m)] if dense else [])
    return max(float((out - reference).abs().max()) for out in outputs), float(reference.abs().max())


def check_parity(jets, train: bool = False, dense: bool = True) -> float:
    """:func:`parity_difference` of a fresh :func:`build_pair`, which must be at rounding level (~1e-12)."""
    worst, scale = parity_difference(*build_pair(), jets, train, dense)
    if worst > 1e-9 * max(1.0, scale):
        mode = "training" if train else "evaluation"
        raise AssertionError(f"our LorentzNet differs from the official computation by {worst:.3g} ({mode} mode)")
    return worst


def _timed_call(fn: Callable[[], torch.Tensor], nets: list[nn.Module], train: bool, device: torch.device):
    def run() -> None:
        if train:
            for net in nets:
                net.zero_grad(set_to_none=True)
            fn().square().sum().backward()
        else:
            with torch.no_grad():
                fn()
        if device.type == "cuda":
            torch.cuda.synchronize()

    return run


def lorentznet_runners(args, device: torch.device) -> dict[str, Callable[[], None]]:
    """One call per model: a forward (eval, no grad) or forward + backward (train)."""
    ours, official = build_pair()
    nets = [ours.to(device).train(args.train), official.to(device).train(args.train)]
    flat, (s, q, m) = official_collate(*benchmark_jets(args, device))
    edges = real_pairs(m)
    ours_fn, official_fn = (torch.compile(net, dynamic=True) if args.compile else net for net in nets)
    return {
        "ours (real pairs)": _timed_call(lambda: ours_fn(s, q, m, edges), nets, args.train, device),
        "official": _timed_call(lambda: official_fn(*flat), nets, args.train, device),
        "ours (padded grid)": _timed_call(lambda: ours_fn(s, q, m), nets, args.train, device),
    }


def lgn_runners(args, device: torch.device) -> dict[str, Callable[[], None]]:
    """LGN (the paper's top tagger size) with and without the edge list; no official code to compare."""
    torch.manual_seed(0)
    net = LGN(channels=(2, 3, 4, 3), maxdim=2).to(device).train(args.train)
    _, p, mask = benchmark_jets(args, device)
    edges = real_pairs(mask)
    fn = torch.compile(net, dynamic=True) if args.compile else net
    return {
        "ours (real pairs)": _timed_call(lambda: fn(p, mask, edges=edges), [net], args.train, device),
        "ours (padded grid)": _timed_call(lambda: fn(p, mask), [net], args.train, device),
    }


def runners(args, device: torch.device) -> dict[str, Callable[[], None]]:
    return (lgn_runners if args.net == "lgn" else lorentznet_runners)(args, device)


def lgn_parity(jets) -> float:
    """Largest float64 output difference of LGN with and without the edge list on the given jets."""
    torch.manual_seed(0)
    net = LGN(channels=(2, 3, 4, 3), maxdim=2).double()
    _, p, mask = jets
    with torch.no_grad():
        return float((net(p, mask, edges=real_pairs(mask)) - net(p, mask)).abs().max())


def prep_times(args, device: torch.device) -> tuple[float, float]:
    """Seconds to build the edge list of one batch: ours (real_pairs) and the official collate."""
    scalars, p, mask = benchmark_jets(args, device)
    best = [float("inf"), float("inf")]
    for _ in range(3):
        for k, fn in enumerate((lambda: real_pairs(mask), lambda: official_collate(scalars, p, mask))):
            start = time.perf_counter()
            fn()
            if device.type == "cuda":
                torch.cuda.synchronize()
            best[k] = min(best[k], time.perf_counter() - start)
    return best[0], best[1]


def cuda_peak_mib(run: Callable[[], None]) -> float:
    """Peak CUDA memory allocated during one ``run()``, in MiB, above what was allocated before."""
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    run()
    return (torch.cuda.max_memory_allocated() - before) / 2**20


def worker(args) -> None:
    """Peak CPU memory of one model's first call, in this fresh process; prints a JSON line."""
    torch.set_num_threads(args.threads)
    run = runners(args, torch.device(args.device))[args.worker]
    if args.compile:
        run()  # compiles: measure the second call
    print(json.dumps({"peak_mib": first_call_peak_rss(run)}))


def subprocess_peak_mib(model: str) -> float:
    """Peak CPU memory of ``model``'s first call, measured by :func:`worker` in a fresh process."""
    command = [sys.executable, __file__, *sys.argv[1:], "--worker", model]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["peak_mib"]


def print_parity(args, few) -> None:
    """Print the parity of our LorentzNet and the official computation in the mode that is timed.

    Evaluation mode on the first jets of the timed batch. With ``--train`` also training mode: on
    jets without padding (:data:`UNPADDED_PARTICLES` particles each, at most ``--max-particles``)
    the two agree; on padded jets they differ by design, because the official phi_h BatchNorm
    takes its batch statistics over the padded nodes too, while ours takes them over the real
    particles only. Our padded-grid computation is compared only where it is timed.
    """
    count, dense = len(few[0]), not args.no_dense
    worst = check_parity(few, dense=dense)
    print(
        f"parity (float64, evaluation mode, {count} of the timed jets): largest output difference to the official "
        f"computation {worst:.2g}"
    )
    if not args.train:
        return
    n = min(args.max_particles, UNPADDED_PARTICLES)
    equal = make_jets(count, n, n, n, seed=2)
    worst = check_parity(equal, train=True, dense=dense)
    padded, _ = parity_difference(*build_pair(), few, train=True, dense=dense)
    print(
        f"parity (float64, training mode, {count} jets of {n} particles each, no padding): largest output "
        f"difference {worst:.2g}"
    )
    print(
        f"training mode on {count} of the timed (padded) jets: outputs differ by {padded:.2g} by design (the "
        "official phi_h BatchNorm takes its batch statistics over the padded nodes too, ours over the real ones)"
    )


def context(args) -> str:
    return f"{conditions()} [{args.device}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--min-particles", type=int, default=10)
    parser.add_argument("--max-particles", type=int, default=200)
    parser.add_argument("--pad", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu or cuda; cuda without a CUDA device exits 2")
    parser.add_argument("--train", action="store_true", help="time forward + backward in training mode")
    parser.add_argument("--no-dense", action="store_true", help="skip our padded-grid computation")
    parser.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile(dynamic=True) both LorentzNets (ours and the official computation); one untimed "
        "call each compiles",
    )
    parser.add_argument("--net", choices=("lorentznet", "lgn"), default="lorentznet")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    device = requested_device(args.device)  # before the float64 parity check, which takes seconds
    if args.worker is not None:
        worker(args)
        return
    torch.set_num_threads(args.threads)
    models = [name for name in MODELS[args.net] if not (args.no_dense and name == "ours (padded grid)")]
    jets = make_jets(args.batch, args.min_particles, args.max_particles, args.pad, 1)
    real = int(jets[2].sum())
    pairs = int((jets[2].sum(1) * (jets[2].sum(1) - 1)).sum())
    print(
        f"# torch {torch.__version__} | {os.cpu_count()} cores | batch {args.batch}, multiplicity "
        f"{args.min_particles}-{args.max_particles} padded to {args.pad} ({real} real particles, {pairs} real pairs "
        f"of {args.batch * jets[2].shape[1] ** 2} padded) | {args.net} | {'train' if args.train else 'eval'}"
        f"{' | compiled' if args.compile else ''} | "
        f"shared machine: figures are noisy {context(args)}"
    )
    count = min(4, args.batch)
    few = tuple(t[:count] for t in jets)
    if args.net == "lgn":
        print(
            f"parity (float64, {count} jets): largest output difference, edge list vs padded grid {lgn_parity(few):.2g}"
        )
    else:
        print_parity(args, few)
    ours_prep, official_prep = prep_times(args, device)
    print(
        f"edge list per batch: ours (real_pairs) {1e3 * ours_prep:.1f} ms, official collate "
        f"{1e3 * official_prep:.1f} ms {context(args)}"
    )

    run = runners(args, device)
    for name in models:  # untimed: compiles, or (eager) pays the first call's allocations and kernel choices
        start = time.perf_counter()
        run[name]()
        if args.compile:
            print(f"compiled {name} in {time.perf_counter() - start:.0f} s (untimed call)")
    best = {name: float("inf") for name in models}
    for repeat in range(args.repeats):
        seconds = {}
        for name in models:
            start = time.perf_counter()
            run[name]()
            seconds[name] = time.perf_counter() - start
            best[name] = min(best[name], seconds[name])
        print(f"repeat {repeat + 1}: " + ", ".join(f"{n} {seconds[n]:.2f} s" for n in models) + f" {context(args)}")
    if device.type == "cuda":  # CUDA's peak counter resets per call: measured in this process
        memory = {name: cuda_peak_mib(run[name]) for name in models}
    else:  # freed CPU memory is reused by later calls: one fresh process per model
        del run
        memory = {name: subprocess_peak_mib(name) for name in models}
    print(f"\n{'model':20s} {'jets/s':>10s} {'peak MiB':>10s}")
    for name in models:
        print(f"{name:20s} {args.batch / best[name]:10.2f} {memory[name]:10.1f} {context(args)}")
    for name in models[1:]:
        print(
            f"ours (real pairs) vs {name}: throughput x{best[name] / best['ours (real pairs)']:.2f}, "
            f"peak memory x{memory['ours (real pairs)'] / max(memory[name], 1e-3):.2f} of theirs {context(args)}"
        )


if __name__ == "__main__":
    main()
