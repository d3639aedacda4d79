"""``benchmarks/bench_lorentznet.py``: the parity check costs only what is timed, and timing starts after a warm-up."""

from __future__ import annotations

import argparse
import sys

from benchmarks import bench_lorentznet as bench


def _args(**overrides) -> argparse.Namespace:
    values = dict(batch=4, min_particles=5, max_particles=60, pad=60, train=True, no_dense=True, net="lorentznet")
    return argparse.Namespace(**{**values, **overrides})


def _recorded_calls(monkeypatch) -> list[tuple[bool, int]]:
    """(edge list given, padded length) of every call of our LorentzNet in the parity check."""
    calls = []
    build_pair = bench.build_pair

    def recorded_pair(seed: int = 0):
        ours, official = build_pair(seed)
        ours.register_forward_pre_hook(lambda _, inputs: calls.append((len(inputs) == 4, inputs[2].shape[1])))
        return ours, official

    monkeypatch.setattr(bench, "build_pair", recorded_pair)
    return calls


def test_parity_under_no_dense_skips_the_padded_grid_and_trains_on_short_jets(monkeypatch):
    calls = _recorded_calls(monkeypatch)
    args = _args(min_particles=55)
    jets = bench.make_jets(args.batch, args.min_particles, args.max_particles, args.pad, seed=1)
    bench.print_parity(args, jets)
    assert calls and all(with_edges for with_edges, _ in calls)
    # evaluation and padded training checks on the timed jets (the collate trims the padding to the
    # longest), the unpadded one on shorter jets
    longest = int(jets[2].sum(1).max())
    assert longest > bench.UNPADDED_PARTICLES
    assert sorted(length for _, length in calls) == [bench.UNPADDED_PARTICLES, longest, longest]


def test_parity_with_the_padded_grid_compares_it(monkeypatch):
    calls = _recorded_calls(monkeypatch)
    args = _args(no_dense=False, train=False)
    bench.print_parity(args, bench.make_jets(args.batch, args.min_particles, args.max_particles, args.pad, seed=1))
    assert sorted(with_edges for with_edges, _ in calls) == [False, True]


def test_every_model_gets_an_untimed_call_before_the_timed_repeats(monkeypatch, capsys):
    runners = bench.runners

    def announced_runners(args, device):
        real = runners(args, device)
        return {name: (lambda name=name: print(f"call {name}") or real[name]()) for name in real}

    monkeypatch.setattr(bench, "runners", announced_runners)
    argv = ["--no-dense", "--batch", "2", "--min-particles", "3", "--max-particles", "6", "--pad", "6"]
    monkeypatch.setattr(sys, "argv", ["bench_lorentznet.py", *argv, "--repeats", "1", "--threads", "1"])
    bench.main()
    lines = capsys.readouterr().out.splitlines()
    timed = next(k for k, line in enumerate(lines) if line.startswith("repeat 1:"))
    models = ["ours (real pairs)", "official"]
    assert [line for line in lines[:timed] if line.startswith("call ")] == [f"call {name}" for name in models * 2]
