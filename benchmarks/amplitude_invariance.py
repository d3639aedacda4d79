"""Lorentz invariance of a trained amplitude regressor: the largest change of its float64 predictions
when the test events are Lorentz transformed.

Loads ``models/model_run<k>.pt`` of a finished amplitude run folder, casts the net to float64,
predicts the first ``--events`` test events, then the same events after ``--transforms`` random
Lorentz transformations each (boosts up to ``--max-rapidity``, rotations), and prints the largest
absolute change of the network output, the standardised log amplitude
``y = (log |M|^2 - log_mean) / log_std`` (a relative change of ``y`` would divide by values near
zero, since ``y`` is centred), and the largest relative change of the predicted amplitude
``|M|^2 = exp(log_std y + log_mean)`` itself, ``|expm1(log_std dy)|``. Usage::

    python benchmarks/amplitude_invariance.py runs/amplitudes/<run> [--model-index 0]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import NamedTuple

import torch
from omegaconf import OmegaConf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from experiments.common.checkpoint import load_checkpoint  # noqa: E402
from experiments.common.config_upgrade import fill_added_keys  # noqa: E402
from experiments.registry import get_experiment  # noqa: E402
from lorentznets.lorentz import random_lorentz_transform  # noqa: E402


class Changes(NamedTuple):
    """Largest changes of the predictions under Lorentz transformations."""

    standardised: float
    """Largest |y(Lambda p) - y(p)| of the standardised log amplitude y."""
    amplitude: float
    """Largest |M^2(Lambda p) / M^2(p) - 1| of the predicted squared amplitude."""
    processes: list[str]
    """The processes of the events checked."""


def largest_changes(run: Path, model_index: int, events: int, transforms: int, max_rapidity: float) -> Changes:
    """Largest changes of the float64 predictions over the events and transformations.

    Parameters
    ----------
    run : Path
        A finished amplitude run folder (``runs/amplitudes/<run>``).
    model_index : int
        Which ``models/model_run<k>.pt`` to load.
    events : int
        The first ``events`` test events are transformed.
    transforms : int
        Random Lorentz transformations per event.
    max_rapidity : float
        Largest boost rapidity.

    Returns
    -------
    Changes
    """
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
    batch["momenta"], batch["tokens"] = batch["momenta"].double(), batch["tokens"].double()
    momenta = batch["momenta"]

    def predict(moved: torch.Tensor) -> torch.Tensor:
        # the experiment's own inputs: no tokens for a run with data.particle_tokens=false
        args, host = experiment.model_inputs({**batch, "momenta": moved})
        return model(*args, **host)

    names = experiment.datasets["test"].process_names
    log_std = torch.tensor([experiment.log_std[name] for name in names], dtype=torch.float64)[batch["process"]]
    generator = torch.Generator().manual_seed(0)
    standardised = amplitude = 0.0
    with torch.no_grad():
        reference = predict(momenta)
        for _ in range(transforms):
            matrix = random_lorentz_transform(momenta.shape[:1], max_rapidity=max_rapidity, generator=generator)
            moved = predict(torch.einsum("bij,bnj->bni", matrix.double(), momenta))
            change = (moved - reference).reshape(len(log_std), -1)
            standardised = max(standardised, change.abs().max().item())
            amplitude = max(amplitude, torch.expm1(log_std[:, None] * change).abs().max().item())
    return Changes(standardised, amplitude, sorted({names[i] for i in batch["process"].tolist()}))


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("run", type=Path, help="an amplitude run folder, runs/amplitudes/<run>")
    parser.add_argument("--model-index", type=int, default=0)
    parser.add_argument("--events", type=int, default=256)
    parser.add_argument("--transforms", type=int, default=5)
    parser.add_argument("--max-rapidity", type=float, default=6.0)
    args = parser.parse_args()
    for path in (args.run / "config.yaml", args.run / "models" / f"model_run{args.model_index}.pt"):
        if not path.is_file():
            parser.exit(2, f"{parser.prog}: {path}: no such file (expected a finished amplitude run folder)\n")
    torch.set_num_threads(1)
    changes = largest_changes(args.run, args.model_index, args.events, args.transforms, args.max_rapidity)
    # exp(log_std dy) overflows float64 for a net that is far from invariant
    amplitude = f"{changes.amplitude:.2g}" if math.isfinite(changes.amplitude) else "above 1e308 (exp overflows)"
    print(
        f"{args.run}: {args.events} test events ({', '.join(changes.processes)}), {args.transforms} random Lorentz "
        f"transformations each (rapidity <= {args.max_rapidity}), float64: largest absolute change of the "
        f"standardised log amplitude {changes.standardised:.2g}, largest relative change of |M|^2 "
        f"{amplitude} {conditions()}"
    )


if __name__ == "__main__":
    main()
