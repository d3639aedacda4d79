"""``benchmarks/bench_train_throughput.py``: the batch defaults of ``--sizes``, and a tiny run of every
tagger on jets read from a file, host inputs included."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from benchmarks import bench_train_throughput as bench
from experiments.common.host_inputs import host_inputs
from tests.data.readers.jet_files import random_jets, write_lgn


@pytest.mark.parametrize(("sizes", "jets", "particles"), [("paper", 128, 100), ("quick", 64, 50)])
def test_sizes_pick_the_default_batch(sizes, jets, particles):
    args = bench.parse_args(["--sizes", sizes])
    assert (args.jets, args.particles) == (jets, particles)
    assert bench.parse_args(["--sizes", sizes, "--jets", "8"]).jets == 8


def test_quick_configs_are_the_quick_model_configs():
    assert bench.CONFIGS["quick"]["lorentznet"] == "config/model/lorentznet.yaml"
    assert bench.CONFIGS["paper"]["lorentznet"] == "config_paper/model/lorentznet.yaml"
    assert bench.CONFIGS["paper"]["transformer"] == "config/model/transformer.yaml"  # no published size


def test_every_tagger_trains_on_file_jets_with_its_host_inputs(tmp_path, monkeypatch):
    momenta, _ = random_jets(6, 12, seed=1)
    path = write_lgn(tmp_path / "jets.h5", momenta, np.arange(6) % 2)
    hooks = []

    def recorded_host_inputs(model: torch.nn.Module, mask: torch.Tensor) -> dict[str, torch.Tensor]:
        hooks.append(type(model).__name__)
        return host_inputs(model, mask)

    monkeypatch.setattr(bench, "host_inputs", recorded_host_inputs)
    out = tmp_path / "out.json"
    threads = torch.get_num_threads()
    args = ["--sizes", "quick", "--smoke", "--data", str(path), "--repeats", "2", "--json", str(out)]
    bench.main([*args, "--threads", str(threads)])
    results = json.loads(out.read_text())
    assert results["sizes"] == "quick"
    assert [r["model"] for r in results["results"]] == list(bench.TAGGERS)
    assert all(r["seconds_per_step"] > 0 and r["jets_per_second"] > 0 for r in results["results"])
    # one warm-up step and two turns of two steps per tagger, each with the collate's hook
    assert len(hooks) == 5 * len(bench.TAGGERS)


def test_file_jets_are_trimmed_to_the_longest_jet(tmp_path):
    momenta, counts = random_jets(5, 12, seed=2)
    path = write_lgn(tmp_path / "jets.h5", momenta, np.arange(5) % 2)
    jets, mask = bench.file_jets(path, 4, 8)
    assert jets.shape == (4, mask.shape[1], 4) and mask.shape[1] == min(8, counts[:4].max())
    assert mask.sum(1).tolist() == np.minimum(counts[:4], 8).tolist()
    with pytest.raises(ValueError, match="fewer than --jets"):
        bench.file_jets(path, 6, 8)
