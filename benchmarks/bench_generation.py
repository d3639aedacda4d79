"""Jets per second and effective sample size of the jet-tagging generators per pTHat bias power.

For each ``--bias-powers`` value and each class, one Pythia run in this process generates
``--jets`` selected jets with the generator's default settings otherwise (jet veto on) and
prints the rate, the effective sample size ESS = (sum w)^2 / sum w^2 as a fraction of the jets,
and their product (effective jets per second), each row with the torch thread count and the load
average (Pythia itself runs on one thread). Usage:
``python benchmarks/bench_generation.py toptagging [--bias-powers 1 2 3 4 5] [--jets 3000]``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402

CLASSES = {"toptagging": ("top", "QCD"), "quarkgluon": ("quark", "gluon")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(CLASSES))
    parser.add_argument("--bias-powers", type=float, nargs="+", default=[1.0, 2.0, 3.0, 4.0, 5.0])
    parser.add_argument("--jets", type=int, default=3000, help="jets per class and power")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-veto", action="store_true")
    args = parser.parse_args()
    module = importlib.import_module(f"lorentznets.data.generate.{args.dataset}")
    options = argparse.ArgumentParser()
    module.add_arguments(options)
    print(f"# {conditions()}")
    print(f"{'power':>6s}{'class':>7s}{'jets/s':>9s}{'ESS':>7s}{'effective/s':>13s}  conditions")
    for power in args.bias_powers:
        cli = ["--bias-power", str(power), *(["--no-veto"] if args.no_veto else [])]
        settings = module.settings_from_args(options.parse_args(cli))
        for name, first_class in zip(CLASSES[args.dataset], (True, False), strict=True):
            start = time.perf_counter()
            rows = module.generate_class(settings, args.seed, args.jets, first_class)
            rate = args.jets / (time.perf_counter() - start)
            weight = rows["weight"]
            ess = weight.sum() ** 2 / np.square(weight).sum() / len(weight)
            print(f"{power:6g}{name:>7s}{rate:9.1f}{ess:7.2f}{rate * ess:13.1f}  {conditions()}", flush=True)


if __name__ == "__main__":
    main()
