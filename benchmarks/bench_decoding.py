"""Time the assignment decoders on many ttbar-like events (CPU).

Two particles (tops) with three products each, ``--jets`` jet slots with 6 to ``--jets`` real jets
per event, random log-probabilities (normalised over the valid tuples). Events are decoded in
chunks of ``--chunk`` (the (B, N, N, N) score tensors of all events at once would not fit in
memory). Every figure is printed with the torch thread count and the load average. Usage:
``python benchmarks/bench_decoding.py [--events 100000] [--jets 10]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from benchmarks.conditions import conditions  # noqa: E402
from lorentznets.assignment.decoding import exact_decode, greedy_decode  # noqa: E402
from lorentznets.assignment.heads import valid_tuples  # noqa: E402


def _chunk(events: int, jets: int, generator: torch.Generator):
    counts = torch.randint(6, jets + 1, (events,), generator=generator)
    mask = torch.arange(jets) < counts[:, None]
    valid = valid_tuples(mask, 3)
    log_probs = []
    for _ in range(2):
        scores = torch.randn((events,) + (jets,) * 3, generator=generator) * 3
        scores = scores.masked_fill(~valid, float("-inf"))
        log_probs.append(scores - scores.flatten(1).logsumexp(dim=1).view(-1, 1, 1, 1))
    return log_probs, [valid, valid]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--jets", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=10_000)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    warm, warm_valid = _chunk(16, args.jets, generator)
    exact_decode(warm, warm_valid)  # numba compilation
    greedy_decode(warm, warm_valid)  # untimed too: the timed chunks then carry no first-call costs
    seconds = {"greedy": 0.0, "exact": 0.0}
    agree = 0
    for start in range(0, args.events, args.chunk):
        log_probs, valid = _chunk(min(args.chunk, args.events - start), args.jets, generator)
        results = {}
        for name, decode in (("greedy", greedy_decode), ("exact", exact_decode)):
            begin = time.perf_counter()
            results[name] = decode(log_probs, valid)
            seconds[name] += time.perf_counter() - begin
        same = torch.ones(len(valid[0]), dtype=torch.bool)
        for greedy, exact in zip(results["greedy"][0], results["exact"][0]):
            same &= (greedy == exact).all(dim=1)
        agree += int(same.sum())
    print(f"{args.events} events, {args.jets} jet slots, 2 particles x 3 products {conditions()}")
    for name, total in seconds.items():
        print(f"{name:6s} decoder: {total:.2f} s, {args.events / total:,.0f} events/s {conditions()}")
    print(f"greedy and exact agree on {agree / args.events:.1%} of the events")


if __name__ == "__main__":
    main()
