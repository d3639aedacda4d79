"""``export.onnx=true`` of an assignment model: the general export, end to end through the experiment."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime
import torch
from assignment_test_utils import EVENT_TARGET_OUTPUTS
from experiment_test_utils import compose_config
from test_assignment_experiment import overrides

from experiments.assignment.dataset import AssignmentDataset
from experiments.assignment.reader import read_assignment_file
from experiments.common.onnx_export import PARITY_ATOL, PARITY_RTOL
from experiments.registry import get_experiment
from lorentznets.assignment.topology import EventTopology


def _padded(batch: dict, slots: int) -> dict:
    """The inputs of ``batch`` with the jets axis cut or zero-padded to ``slots``."""
    inputs = {}
    for key in ("features", "momenta", "mask"):
        value = batch[key][:, :slots]
        pad = slots - value.shape[1]
        inputs[key] = torch.cat([value, value.new_zeros(value.shape[0], pad, *value.shape[2:])], dim=1)
    return inputs


def test_general_export_takes_any_number_of_jets_with_named_outputs(tmp_path, event_target_file):
    settings = {"export.onnx": True, "evaluate": False, "plot": False, "model.net.hidden_channels": 8}
    experiment = get_experiment("ttbar_assignment")(
        compose_config("ttbar_assignment", overrides(tmp_path, event_target_file, **settings))
    )
    experiment.run()
    models = tmp_path / "runs" / "ttbar_assignment" / "test" / "models"
    record = json.loads((models / "model_run0.preprocessing.json").read_text())
    # the Transformer takes no four-momenta, the event file declares no GLOBAL inputs
    assert [(i["name"], i["shape"]) for i in record["inputs"]] == [
        ("features", ["events", "jets", 5]),
        ("mask", ["events", "jets"]),
    ]
    assert record["unused_inputs"] == ["momenta", "global_features"]
    names = [o["name"] for o in record["outputs"]]
    assert names == EVENT_TARGET_OUTPUTS
    assert record["outputs"][0]["shape"] == ["events", "jets", "jets", "jets"]
    session = onnxruntime.InferenceSession(str(models / "model_run0.onnx"), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == names
    topology = EventTopology.from_yaml(event_target_file.with_suffix(".yaml"))
    dataset = AssignmentDataset(read_assignment_file(event_target_file, topology))
    batch = dataset.__getitems__(list(range(6)))
    model = experiment.raw_model.float().cpu().eval()
    # 7 slots cut real jets (the net sees the first 7 of each event), 13 are more than the file has
    for slots in (7, 13):
        inputs = _padded(batch, slots)
        got = session.run(None, {key: inputs[key].numpy() for key in ("features", "mask")})
        with torch.no_grad():
            log_probs, detection, (regressions, logits) = model(
                inputs["features"], inputs["momenta"], inputs["mask"], batch["global_features"]
            )
        expected = [*log_probs, detection, *regressions.unbind(-1), *logits]
        assert got[0].shape == (6, slots, slots, slots)
        for onnx_out, torch_out in zip(got, expected, strict=True):
            torch_out = torch_out.numpy()
            finite = np.isfinite(torch_out)
            assert np.array_equal(finite, np.isfinite(onnx_out))
            np.testing.assert_allclose(onnx_out[finite], torch_out[finite], rtol=PARITY_RTOL, atol=PARITY_ATOL)
