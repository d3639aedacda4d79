"""The scaling study's own entry point, run as the docs show it (default ``num_threads: auto``)."""

import json

import pytest
import torch

from experiments.amplitudes import scaling
from experiments.common.threads import configured_num_threads


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_scaling_runs_with_the_default_auto_threads(tmp_path):
    # no num_threads override: "auto" reached torch.set_num_threads as a string and crashed
    overrides = [
        f"base_dir={tmp_path}",
        f"data.dir={tmp_path / 'data'}",
        "data.processes=[zg]",
        "data.generate.n=100",
        "model.net.hidden_channels=8",
        "model.net.num_layers=1",
        "training.iterations=2",
        "training.validate_every=2",
        "training.batchsize=16",
        "plot=false",
        "use_mlflow=false",
        "progress=false",
    ]
    out = tmp_path / "scaling"
    scaling.main(["--models", "mlp", "--train-sizes", "20", "--out", str(out), "--", *overrides])
    results = json.loads((out / "results.json").read_text())
    assert set(results["mlp"]["20"]) >= {"test.mse", "test.zg.mse", "seconds"}
    assert torch.get_num_threads() == configured_num_threads("auto")
