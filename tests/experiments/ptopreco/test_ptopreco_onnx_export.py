"""ONNX export of the top-momentum regressor, end to end: real config, HDF5 file and onnxruntime."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from experiment_test_utils import compose_config  # noqa: E402
from onnx_test_utils import jets  # noqa: E402
from test_ptopreco_experiment import overrides  # noqa: E402

from experiments.common.onnx_export import PARITY_ATOL, PARITY_RTOL  # noqa: E402
from experiments.registry import get_experiment  # noqa: E402
from lorentznets.testing.synthetic_files import write_top_jets  # noqa: E402


def test_export_takes_any_number_of_particles_and_describes_scale_and_output(tmp_path):
    data = write_top_jets(tmp_path / "tops.h5", num_jets=80)
    # Jets of at least 6 constituents in 6 slots: the traced example has no padding at all.
    settings = {
        "data.max_particles": 6,
        "model.net.beams": True,
        "training.iterations": 4,
        "training.validate_every": 4,
        "evaluate": False,
        "plot": False,
        "use_mlflow": False,
        "export.onnx": True,
    }
    experiment = get_experiment("ptopreco")(compose_config("ptopreco", overrides(tmp_path, data, **settings)))
    experiment.run()
    models = tmp_path / "runs" / "ptopreco" / "r" / "models"
    description = json.loads((models / "model_run0.preprocessing.json").read_text())
    assert [(i["name"], i["dtype"], i["shape"]) for i in description["inputs"]] == [
        ("momenta", "float32", ["batch", "particles", 4]),
        ("mask", "bool", ["batch", "particles"]),
    ]
    (output,) = description["outputs"]
    assert (output["name"], output["shape"]) == ("top_momentum", ["batch", 4])
    assert "(E, px, py, pz) in GeV" in output["description"]
    scale = float(experiment.raw_model.momentum_scale)
    assert description["preprocessing"]["momentum_scale_gev"] == pytest.approx(scale)
    session = onnxruntime.InferenceSession(str(models / description["model_file"]))
    model = experiment.raw_model.float().cpu().eval()
    for particles in (12, 30):
        momenta, mask = jets(5, particles, particles, padding=2)
        (got,) = session.run(None, {"momenta": momenta.numpy(), "mask": mask.numpy()})
        with torch.no_grad():
            expected = model(momenta, mask).numpy()
        np.testing.assert_allclose(got, expected, rtol=PARITY_RTOL, atol=PARITY_ATOL)
