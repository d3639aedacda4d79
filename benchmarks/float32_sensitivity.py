"""Float32 input sensitivity of briefly trained taggers: how far a rounding-sized change of the
jet constituents moves the logits (and, for LLoCa models, the local frames).

Each model (quick size, ``config/model/<name>.yaml``) is trained for ``--steps`` AdamW steps
(lr 1e-3, weight decay 1e-2, batch 64, gradient norm clipped at 1, cross entropy on two classes)
on the first ``--jets`` jets of ``--data`` (hardest ``--particles`` constituents, read as the tagging
experiment reads them), from seed 0. Then the float32 momenta of the next ``--eval-jets`` jets are
multiplied component-wise by ``1 + 1e-7 z`` (z standard normal, ``--repeats`` draws) and the script
prints the largest ``|logits' - logits|`` in eval mode and, for LLoCa models, the largest change of
a constituent's frame relative to that frame's largest entry. Every line carries the torch thread
count and the load average. ``--frames`` merges YAML settings into ``model.wrapper.frames`` of the
LLoCa models, e.g. ``"{eps_mass: 0.0, eps_separation: 0.0}"`` (the regularisations off) or
``"{kind: identity}"`` (the plain backbones). Usage::

    python benchmarks/float32_sensitivity.py                  # LLoCa taggers, L-GATr and PELICAN
    python benchmarks/float32_sensitivity.py --model lloca_transformer gatr --steps 20 --jets 200
    python benchmarks/float32_sensitivity.py --model lloca_part --frames "{eps_mass: 0.0, eps_separation: 0.0}"

The data file is ``data/cache/toptagging_20k.h5`` by default (README.md, "Top tagging, side by
side", gives the command that generates it).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import torch
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout, uninstalled

from benchmarks.taggers import first_jets, tagger_from_config  # noqa: E402
from experiments.registry import wrappers_for  # noqa: E402
from experiments.tagging.wrappers_lloca import LLoCaTaggingWrapper  # noqa: E402

LLOCA_MODELS = ("lloca_transformer", "lloca_part", "lloca_particlenet")
DEFAULT_MODELS = (*LLOCA_MODELS, "gatr", "pelican")
RELATIVE_CHANGE = 1e-7


def conditions() -> str:
    """The torch thread count and the 1/5/15-minute load average, for every printed figure."""
    load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    return f"threads {torch.get_num_threads()}, load {load}"


def read_jets(path: Path, jets: int, particles: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The first ``jets`` jets of a tagging file (:func:`benchmarks.taggers.first_jets`): momenta
    (jets, N, 4) float32 GeV, mask (jets, N) bool, labels (jets,) int64; too few stop the script."""
    try:
        batch = first_jets(path, jets, particles)
    except ValueError as error:
        raise SystemExit(str(error)) from None
    return batch["momenta"], batch["mask"], batch["labels"]


def build(name: str, frames: dict) -> torch.nn.Module:
    """The tagging wrapper of ``name`` at its quick size, with ``frames`` merged into LLoCa frames."""
    return tagger_from_config(name, f"config/model/{name}.yaml", 2, frames=frames if name in LLOCA_MODELS else None)


def train(model: torch.nn.Module, momenta: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor, steps: int) -> float:
    """``steps`` AdamW steps on random batches of 64; returns the last batch loss."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    generator = torch.Generator().manual_seed(1)
    model.train()
    loss = torch.tensor(float("nan"))
    for _ in range(steps):
        index = torch.randint(0, len(labels), (64,), generator=generator)
        loss = torch.nn.functional.cross_entropy(model(momenta[index], mask[index]), labels[index])
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    return float(loss.detach())


@torch.no_grad()
def sensitivity(
    model: torch.nn.Module, momenta: torch.Tensor, mask: torch.Tensor, repeats: int
) -> tuple[float, float | None]:
    """Largest logit change and largest relative frame change (None without frames) under
    ``repeats`` relative perturbations of size :data:`RELATIVE_CHANGE` of ``momenta`` (B, N, 4)."""
    model.eval()
    logits = model(momenta, mask)
    lloca = isinstance(model, LLoCaTaggingWrapper)
    # the frames the model uses: of the jets as it sees them (from their rest frame where invariant)
    frames = model.local_frames(model.model_frame(momenta, mask)[0], mask, None) if lloca else None
    size = frames.abs().amax((-1, -2)) if lloca else None
    max_logits, max_frames = 0.0, (0.0 if lloca else None)
    for seed in range(repeats):
        noise = torch.randn(momenta.shape, generator=torch.Generator().manual_seed(seed))
        changed = momenta * (1 + RELATIVE_CHANGE * noise)
        max_logits = max(max_logits, float((model(changed, mask) - logits).abs().max()))
        if max_frames is not None:
            changed_frames = model.local_frames(model.model_frame(changed, mask)[0], mask, None)
            change = (changed_frames - frames).abs().amax((-1, -2)) / size
            max_frames = max(max_frames, float(change[mask].max()))
    return max_logits, max_frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", nargs="+", default=list(DEFAULT_MODELS), choices=sorted(wrappers_for("tagging")))
    parser.add_argument("--steps", type=int, default=60, help="training steps (default 60)")
    parser.add_argument("--jets", type=int, default=600, help="training jets (default 600)")
    parser.add_argument("--eval-jets", type=int, default=256, help="perturbed jets (default 256)")
    parser.add_argument("--particles", type=int, default=50, help="hardest constituents kept (default 50)")
    parser.add_argument("--repeats", type=int, default=3, help="perturbations drawn (default 3)")
    parser.add_argument("--data", type=Path, default=REPO / "data" / "cache" / "toptagging_20k.h5")
    parser.add_argument("--frames", type=yaml.safe_load, default={}, help="YAML mapping merged into LLoCa frames")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if not args.data.is_file():
        parser.error(f"--data {args.data}: no such file (README.md, 'Top tagging, side by side', generates it)")
    if not isinstance(args.frames, dict):
        parser.error(f"--frames {args.frames!r}: expected a YAML mapping such as '{{eps_mass: 0.0}}'")
    torch.set_num_threads(args.threads)
    momenta, mask, labels = read_jets(args.data, args.jets + args.eval_jets, args.particles)
    train_jets = slice(0, args.jets)
    eval_jets = slice(args.jets, None)
    scale = float(momenta[train_jets][mask[train_jets]].std())
    print(
        f"{args.steps} steps on {args.jets} jets, {args.eval_jets} perturbed jets x {args.repeats}, "
        f"relative change {RELATIVE_CHANGE:g}, frames {args.frames or 'as configured'}; {conditions()}"
    )
    for name in args.model:
        torch.manual_seed(0)
        model = build(name, args.frames)
        model.set_momentum_scale(scale)
        loss = train(model, momenta[train_jets], mask[train_jets], labels[train_jets], args.steps)
        logits, frames = sensitivity(model, momenta[eval_jets], mask[eval_jets], args.repeats)
        frame_change = "-" if frames is None else f"{frames:.2g}"
        print(
            f"{name}: last loss {loss:.3f}, max |dlogits| {logits:.2g}, max relative dframe {frame_change}; "
            f"{conditions()}"
        )


if __name__ == "__main__":
    main()
