"""``benchmarks/bench_train_throughput.py``: the batch defaults and model configs of ``--sizes``, and a
tiny run of every tagger on jets read from a file, host inputs included."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from benchmarks import bench_train_throughput as bench
from experiments.common.host_inputs import host_inputs
from tests.data.readers.jet_files import random_jets, write_lgn

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("sizes", "jets", "particles"), [("paper", 128, 100), ("quick", 64, 50)])
def test_sizes_pick_the_default_batch(sizes, jets, particles):
    args = bench.parse_args(["--sizes", sizes])
    assert (args.jets, args.particles) == (jets, particles)
    assert bench.parse_args(["--sizes", sizes, "--jets", "8"]).jets == 8


@pytest.mark.parametrize(("sizes", "config_dir"), [("quick", "config"), ("paper", "config_paper")])
def test_sizes_build_the_models_of_the_top_tagging_runs(sizes, config_dir, monkeypatch):
    """Each tagger's model config of ``--sizes`` holds the net and wrapper options that the top-tagging
    run of that size composes through Hydra (``-cp <config_dir> -cn toptagging model=<name>``)."""
    monkeypatch.chdir(REPO)  # config_paper's search path names config/ relative to the working directory
    with initialize_config_dir(str(REPO / config_dir), version_base=None):
        for name in bench.TAGGERS:
            composed = OmegaConf.to_container(compose("toptagging", [f"model={name}"]).model, resolve=True)
            read = yaml.safe_load((REPO / bench.CONFIGS[sizes][name]).read_text())
            assert read["net"] == composed["net"], name
            assert (read.get("wrapper") or {}) == (composed.get("wrapper") or {}), name


def test_every_tagger_trains_on_file_jets_with_its_host_inputs(tmp_path, monkeypatch, capsys):
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
    # the measurement conditions with every figure, printed and in the JSON
    assert results["threads"] == threads and results["smoke"] is True
    assert all(isinstance(r["load"], float) for r in results["results"])
    out = capsys.readouterr().out
    assert "tiny models (quick configs shrunk by --smoke)" in out and "paper sizes" not in out
    for result in results["results"]:
        line = next(line for line in out.splitlines() if line.startswith(f"{result['model']} "))
        assert line.endswith(f"[torch threads {threads}, load {result['load']:.1f}]")


def test_file_jets_are_trimmed_to_the_longest_jet(tmp_path):
    momenta, counts = random_jets(5, 12, seed=2)
    path = write_lgn(tmp_path / "jets.h5", momenta, np.arange(5) % 2)
    jets, mask = bench.file_jets(path, 4, 8)
    assert jets.shape == (4, mask.shape[1], 4) and mask.shape[1] == min(8, counts[:4].max())
    assert mask.sum(1).tolist() == np.minimum(counts[:4], 8).tolist()
    with pytest.raises(ValueError, match="fewer than --jets"):
        bench.file_jets(path, 6, 8)
