"""Training throughput of every tagger: jets per second and peak memory over a fixed number of steps.

Each tagging wrapper (L-GATr, PELICAN, LorentzNet, LGN at their ``config_paper`` sizes; the
Transformer, which has no published size, at its ``config`` size) takes ``--steps`` AdamW steps of
binary cross-entropy on the same synthetic jets (``--jets`` jets of ``--min-particles`` to
``--particles`` massless constituents, padded), after ``--warmup`` steps. The clock stops after a
device synchronisation; peak memory is ``torch.cuda.max_memory_allocated`` on CUDA (not measured
on CPU). Usage::

    python benchmarks/bench_train_throughput.py --bf16 --json out.json     # on a GPU
    python benchmarks/bench_train_throughput.py --smoke                      # tiny, any device

The models run one after the other, not interleaved: on a shared machine repeat the run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, uninstalled

from experiments.registry import get_wrapper  # noqa: E402

#: Model config of each tagger: the published size, or the quick one without a published size.
MODELS = {
    "gatr": "config_paper/model/gatr.yaml",
    "pelican": "config_paper/model/pelican.yaml",
    "lorentznet": "config_paper/model/lorentznet.yaml",
    "transformer": "config/model/transformer.yaml",
    "lgn": "config_paper/model/lgn.yaml",
}


def synthetic_jets(jets: int, min_particles: int, particles: int, device: str) -> tuple[torch.Tensor, torch.Tensor]:
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
    return (p * mask[..., None]).to(device), mask.to(device)


def build(name: str, smoke: bool) -> torch.nn.Module:
    """The tagging wrapper of model ``name`` at its benchmark size (tiny quick-config size with ``smoke``)."""
    path = REPO / (f"config/model/{name}.yaml" if smoke else MODELS[name])
    config = yaml.safe_load(path.read_text())
    net = config["net"]
    if smoke:
        net = {**net, **_TINY.get(name, {})}
    wrapper = get_wrapper("tagging", name)(net, out_channels=1, num_scalars=0, **(config.get("wrapper") or {}))
    wrapper.set_momentum_scale(50.0)
    return wrapper


_TINY = {
    "gatr": {"num_blocks": 1, "hidden_mv_channels": 4, "hidden_s_channels": 8},
    "pelican": {"num_blocks": 1, "hidden_channels": 8, "message_channels": 8},
    "lorentznet": {"num_blocks": 1, "hidden_channels": 8},
    "transformer": {"num_blocks": 1, "hidden_channels": 16, "num_heads": 2},
}


def measure(name: str, args: argparse.Namespace, device: str) -> dict:
    """Jets per second and peak memory of ``args.steps`` training steps of tagger ``name``."""
    torch.manual_seed(0)
    model = build(name, args.smoke).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    momenta, mask = synthetic_jets(args.jets, args.min_particles, args.particles, device)
    labels = (torch.arange(args.jets, device=device) % 2).float()

    def step() -> None:
        with torch.autocast(device, dtype=torch.bfloat16, enabled=args.bf16):
            logits = model(momenta, mask)[:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits.float(), labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(args.warmup):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    peak = torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None
    return {
        "model": name,
        "parameters": sum(p.numel() for p in model.parameters()),
        "jets_per_second": args.steps * args.jets / seconds,
        "seconds_per_step": seconds / args.steps,
        "peak_memory_mib": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--jets", type=int, default=128)
    parser.add_argument("--particles", type=int, default=100)
    parser.add_argument("--min-particles", type=int, default=20)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--bf16", action="store_true", help="bf16 autocast")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    parser.add_argument("--smoke", action="store_true", help="tiny models and batch (proves the script works)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.smoke:
        args.jets, args.particles, args.min_particles, args.steps, args.warmup = 4, 10, 5, 2, 1
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"device {device} ({torch.cuda.get_device_name() if device == 'cuda' else 'CPU'}), torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, load {os.getloadavg()[0]:.1f} (shared machine: figures are noisy), "
        f"{args.jets} jets x {args.min_particles}-{args.particles} particles, bf16={args.bf16}"
    )
    results = []
    for name in args.models:
        result = measure(name, args, device)
        results.append(result)
        memory = "-" if result["peak_memory_mib"] is None else f"{result['peak_memory_mib']:.0f} MiB"
        print(
            f"{name:12s} {result['parameters']:>9d} parameters  {result['jets_per_second']:10.1f} jets/s  "
            f"peak memory {memory}  (load {os.getloadavg()[0]:.1f})"
        )
        if args.json:  # after every model, so a run cut short by a time limit keeps what it measured
            summary = {"device": device, "torch": torch.__version__, "bf16": args.bf16, "results": results}
            args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
