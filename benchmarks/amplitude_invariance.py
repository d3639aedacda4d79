"""Lorentz invariance of a trained amplitude regressor: the largest relative change of its float64
predictions when the test events are Lorentz transformed.

Loads ``models/model_run<k>.pt`` of a finished amplitude run folder, casts the net to float64,
predicts the first ``--events`` test events, then the same events after ``--transforms`` random
Lorentz transformations each (boosts up to ``--max-rapidity``, rotations), and prints the largest
relative change. Usage::

    python benchmarks/amplitude_invariance.py runs/amplitudes/<run> [--model-index 0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from omegaconf import OmegaConf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, uninstalled

from experiments.common.checkpoint import load_checkpoint  # noqa: E402
from experiments.common.config_upgrade import fill_added_keys  # noqa: E402
from experiments.registry import get_experiment  # noqa: E402
from lorentznets.lorentz import random_lorentz_transform  # noqa: E402


def largest_relative_change(run: Path, model_index: int, events: int, transforms: int, max_rapidity: float) -> float:
    """Largest |f(Lambda p) - f(p)| / |f(p)| over the events and transformations (float64)."""
    cfg = OmegaConf.load(run / "config.yaml")
    if cfg.experiment != "amplitudes":
        raise SystemExit(f"{run}: an {cfg.experiment!r} run, not an amplitude regression run")
    fill_added_keys(cfg, REPO / "config")
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.datasets = experiment.init_data()
    experiment.raw_model = experiment.init_model()
    experiment.raw_model.load_state_dict(load_checkpoint(run / "models" / f"model_run{model_index}.pt")["model"])
    model = experiment.raw_model.double().eval()
    batch = next(iter(experiment.loader("test", batch_size=events)))
    momenta, mask, tokens = batch["momenta"].double(), batch["mask"], batch["tokens"].double()
    host = batch.get("host_inputs", {})
    generator = torch.Generator().manual_seed(0)
    worst = 0.0
    with torch.no_grad():
        reference = model(momenta, mask, tokens, **host)
        for _ in range(transforms):
            matrix = random_lorentz_transform(momenta.shape[:1], max_rapidity=max_rapidity, generator=generator)
            moved = model(torch.einsum("bij,bnj->bni", matrix.double(), momenta), mask, tokens, **host)
            worst = max(worst, ((moved - reference).abs() / reference.abs().clamp(min=1e-12)).max().item())
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="an amplitude run folder, runs/amplitudes/<run>")
    parser.add_argument("--model-index", type=int, default=0)
    parser.add_argument("--events", type=int, default=256)
    parser.add_argument("--transforms", type=int, default=5)
    parser.add_argument("--max-rapidity", type=float, default=6.0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    worst = largest_relative_change(args.run, args.model_index, args.events, args.transforms, args.max_rapidity)
    print(
        f"{args.run}: largest relative change of the float64 predictions of {args.events} test events under "
        f"{args.transforms} random Lorentz transformations (rapidity <= {args.max_rapidity}): {worst:.2g}"
    )


if __name__ == "__main__":
    main()
