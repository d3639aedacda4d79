"""Training throughput of every tagger: jets per second, seconds per step and peak memory.

Each tagging wrapper takes ``--steps`` AdamW steps of binary cross-entropy (gradients clipped to
norm 1, as the trainer does) on one batch of ``--jets`` jets, after ``--warmup`` steps, the way the
tagging experiment calls it: every step builds the wrapper's host inputs from the CPU mask
(:mod:`experiments.common.host_inputs`: L-GATr's packing, LorentzNet's and LGN's edges, ParT's
pairs), moves them to the device and passes them to ``forward``. The jets are synthetic
(``--min-particles`` to ``--particles`` massless constituents, padded) or, with ``--data``, the
first jets of a file as the experiment reads them (the ``--particles`` hardest constituents,
trimmed to the longest jet). The clock stops after a device synchronisation; peak memory is
``torch.cuda.max_memory_allocated`` of one model's steps with the other models' memory taken out
(CUDA only). The models take turns, ``--repeats`` times, and each keeps its fastest turn.

``--sizes`` picks the model configs and the default batch:

- ``paper`` (default): every tagger at its ``config_paper`` size (the Transformer, which has no
  published size, at its ``config`` size), 128 jets of 20-100 constituents;
- ``quick``: every tagger at its quick ``config`` size, 64 jets of at most 50 constituents, the
  README's top-tagging trainings.

Usage::

    python benchmarks/bench_train_throughput.py --bf16 --json out.json     # on a GPU
    python benchmarks/bench_train_throughput.py --sizes quick --data data/cache/toptagging_20k.h5 \\
        --threads 2 --repeats 5 --steps 20                                  # README s / step
    python benchmarks/bench_train_throughput.py --smoke                      # tiny, any device
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from benchmarks.taggers import first_jets, tagger_from_config  # noqa: E402
from experiments.common.host_inputs import host_inputs  # noqa: E402
from experiments.common.run_directory import write_text_atomic  # noqa: E402

TAGGERS = (
    "gatr",
    "pelican",
    "lorentznet",
    "transformer",
    "lgn",
    "lloca_transformer",
    "lloca_part",
    "part",
    "particlenet",
    "lloca_particlenet",
)

#: Model config of each tagger per ``--sizes``: ``paper`` falls back to the quick config of a
#: tagger without a published size.
CONFIGS = {
    "paper": {
        name: f"config_paper/model/{name}.yaml" if name != "transformer" else "config/model/transformer.yaml"
        for name in TAGGERS
    },
    "quick": {name: f"config/model/{name}.yaml" for name in TAGGERS},
}

#: Default batch per ``--sizes``: (jets, particles).
BATCHES = {"paper": (128, 100), "quick": (64, 50)}

#: Smoke sizes of the taggers whose quick config is slow even on tiny batches.
_TINY = {
    "gatr": {"num_blocks": 1, "hidden_mv_channels": 4, "hidden_s_channels": 8},
    "pelican": {"num_blocks": 1, "hidden_channels": 8, "message_channels": 8},
    "lorentznet": {"num_blocks": 1, "hidden_channels": 8},
    "transformer": {"num_blocks": 1, "hidden_channels": 16, "num_heads": 2},
}


def synthetic_jets(jets: int, min_particles: int, particles: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Massless constituents around a common axis, in GeV.

    Returns
    -------
    momenta : torch.Tensor with shape (jets, particles, 4)
    mask : torch.Tensor with shape (jets, particles), bool
    """
    g = torch.Generator().manual_seed(0)
    lengths = torch.randint(min_particles, particles + 1, (jets,), generator=g)
    mask = torch.arange(particles) < lengths[:, None]
    pt = 500 * torch.distributions.Dirichlet(torch.ones(particles)).sample((jets,)) + 0.5
    eta, phi = 0.4 * torch.randn(jets, particles, generator=g), 0.4 * torch.randn(jets, particles, generator=g)
    p = torch.stack([pt * torch.cosh(eta), pt * torch.cos(phi), pt * torch.sin(phi), pt * torch.sinh(eta)], -1)
    return p * mask[..., None], mask


def file_jets(path: Path, jets: int, particles: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``jets`` jets of a file (:func:`benchmarks.taggers.first_jets`): momenta (jets, N, 4)
    GeV and mask (jets, N)."""
    batch = first_jets(path, jets, particles)
    return batch["momenta"], batch["mask"]


def build(name: str, config_path: str, smoke: bool) -> torch.nn.Module:
    """The tagging wrapper of model ``name`` from its config (tiny quick-config size with ``smoke``)."""
    if smoke:
        wrapper = tagger_from_config(name, f"config/model/{name}.yaml", net_overrides=_TINY.get(name))
    else:
        wrapper = tagger_from_config(name, config_path)
    wrapper.set_momentum_scale(50.0)
    return wrapper


def _nbytes(tensors: list[torch.Tensor]) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


@dataclass
class Trial:
    """One tagger's model, optimizer and batch, timed in turns.

    ``momenta`` (B, N, 4) and ``mask`` (B, N) are on the device, ``host_mask`` (B, N) on the CPU.
    """

    name: str
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    momenta: torch.Tensor
    mask: torch.Tensor
    host_mask: torch.Tensor
    labels: torch.Tensor
    bf16: bool

    def step(self) -> None:
        """One training step, host inputs included."""
        device = self.momenta.device
        extra = {k: v.to(device, non_blocking=True) for k, v in host_inputs(self.model, self.host_mask).items()}
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=self.bf16):
            logits = self.model(self.momenta, self.mask, None, **extra)[:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), self.labels)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()

    def resident_bytes(self) -> int:
        """Bytes of the parameters, optimizer state and batch (what stays allocated between steps)."""
        state = [v for s in self.optimizer.state.values() for v in s.values() if isinstance(v, torch.Tensor)]
        return _nbytes([*self.model.parameters(), *state, self.momenta, self.mask, self.labels])

    def measure(self, steps: int) -> tuple[float, float | None]:
        """Seconds per step of ``steps`` steps, and their peak memory in MiB (None off CUDA)."""
        cuda = self.momenta.device.type == "cuda"
        if cuda:
            torch.cuda.synchronize()
            others = torch.cuda.memory_allocated() - self.resident_bytes()
            torch.cuda.reset_peak_memory_stats()
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        if cuda:
            torch.cuda.synchronize()
        seconds = (time.perf_counter() - start) / steps
        return seconds, (torch.cuda.max_memory_allocated() - others) / 2**20 if cuda else None


def make_trial(name: str, args: argparse.Namespace, jets: tuple[torch.Tensor, torch.Tensor], device: str) -> Trial:
    """Tagger ``name`` at its ``args.sizes`` config, warmed up by ``args.warmup`` steps on ``jets``."""
    torch.manual_seed(0)
    model = build(name, CONFIGS[args.sizes][name], args.smoke).to(device)
    momenta, mask = jets
    labels = (torch.arange(len(mask)) % 2).float()
    trial = Trial(
        name,
        model,
        torch.optim.AdamW(model.parameters(), lr=1e-4),
        momenta.to(device),
        mask.to(device),
        mask,
        labels.to(device),
        args.bf16,
    )
    for _ in range(args.warmup):
        trial.step()
    return trial


def summarise(
    trials: dict[str, Trial], best: dict[str, tuple[float, float | None]], loads: dict[str, float], jets: int
) -> list[dict]:
    """One result per timed model: parameters, jets per second, seconds per step, peak memory, and
    the 1-minute load average after its fastest turn."""
    return [
        {
            "model": name,
            "parameters": sum(p.numel() for p in trials[name].model.parameters()),
            "jets_per_second": jets / seconds,
            "seconds_per_step": seconds,
            "peak_memory_mib": memory,
            "load": loads[name],
        }
        for name, (seconds, memory) in best.items()
    ]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options, with the batch defaults of ``--sizes`` (and ``--smoke``) filled in."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", choices=list(CONFIGS), default="paper", help="model configs and default batch")
    parser.add_argument("--models", nargs="+", default=list(TAGGERS), choices=list(TAGGERS))
    parser.add_argument("--data", type=Path, help="take the jets from this file instead of synthetic ones")
    parser.add_argument("--jets", type=int, help="batch size (default per --sizes)")
    parser.add_argument("--particles", type=int, help="most constituents per jet (default per --sizes)")
    parser.add_argument("--min-particles", type=int, default=20, help="fewest constituents of a synthetic jet")
    parser.add_argument("--steps", type=int, default=50, help="timed steps per turn")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1, help="turns of every model; each keeps its fastest")
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--smoke", action="store_true", help="tiny models and batch (proves the script works)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    jets, particles = BATCHES[args.sizes]
    args.jets = args.jets or jets
    args.particles = args.particles or particles
    if args.smoke:
        args.jets, args.particles, args.min_particles, args.steps, args.warmup = 4, 10, 5, 2, 1
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.data is None:
        jets = synthetic_jets(args.jets, args.min_particles, args.particles)
        source = f"{args.jets} synthetic jets x {args.min_particles}-{args.particles} particles"
    else:
        jets = file_jets(args.data, args.jets, args.particles)
        lengths = jets[1].sum(1)
        source = f"{args.jets} jets of {args.data} x {lengths.min()}-{lengths.max()} particles"
    sizes = f"tiny models ({args.sizes} configs shrunk by --smoke)" if args.smoke else f"{args.sizes} sizes"
    print(
        f"device {device} ({torch.cuda.get_device_name() if device == 'cuda' else 'CPU'}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, load {os.getloadavg()[0]:.1f} (shared machine: figures are noisy), "
        f"{sizes}, {source}, bf16={args.bf16}, {args.repeats} turns of {args.steps} steps"
    )
    trials: dict[str, Trial] = {}  # built in the first turn, one after the other
    best: dict[str, tuple[float, float | None]] = {}
    loads: dict[str, float] = {}  # the load average after each model's fastest turn
    for turn in range(args.repeats):
        for name in args.models:
            if name not in trials:
                trials[name] = make_trial(name, args, jets, device)
            seconds, memory = trials[name].measure(args.steps)
            fastest, peak = best.get(name, (float("inf"), None))
            if seconds < fastest:
                loads[name] = os.getloadavg()[0]
            best[name] = (min(seconds, fastest), memory if peak is None else max(memory, peak))
            if args.json:  # after every turn of every model: a run cut short by a time limit keeps them
                summary = {
                    "device": device,
                    "torch": torch.__version__,
                    "threads": torch.get_num_threads(),
                    "bf16": args.bf16,
                    "sizes": args.sizes,
                    "smoke": args.smoke,
                }
                write_text_atomic(
                    args.json, json.dumps({**summary, "results": summarise(trials, best, loads, args.jets)}, indent=2)
                )
        print(f"turn {turn + 1}/{args.repeats} done {conditions()}")
    for result in summarise(trials, best, loads, args.jets):
        memory = "-" if result["peak_memory_mib"] is None else f"{result['peak_memory_mib']:.0f} MiB"
        print(
            f"{result['model']:18s} {result['parameters']:>9d} parameters  {result['seconds_per_step']:8.4f} s/step  "
            f"{result['jets_per_second']:10.1f} jets/s  peak memory {memory} {conditions(result['load'])}"
        )
    print(f"load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
