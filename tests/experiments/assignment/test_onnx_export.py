import warnings

import numpy as np
import onnxruntime
import pytest
import torch
from test_wrappers import build

from experiments.assignment.dataset import AssignmentDataset
from experiments.assignment.onnx_export import decode_onnx_outputs, export_onnx
from experiments.assignment.reader import read_assignment_file
from experiments.registry import get_wrapper
from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples
from lorentznets.assignment.topology import EventTopology


@pytest.mark.parametrize("name", ["transformer", "gatr", "pelican"])
def test_onnx_outputs_match_torch_and_decode_the_same(name, spanet_file, tmp_path):
    model, dataset, _ = build(name, spanet_file)
    model = model.float()
    path = tmp_path / "assignment.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = export_onnx(model, path, dataset.__getitems__(list(range(8))))
    assert names == ["log_probs_t1", "log_probs_t2", "detection_logits"]
    session = onnxruntime.InferenceSession(str(path))
    # Another batch size and jet count than the tracing batch: the axes are dynamic.
    batch = dataset.__getitems__(list(range(20, 45)))
    inputs = {i.name: batch[i.name].numpy() for i in session.get_inputs()}
    outputs = session.run(names, inputs)
    with torch.no_grad():
        log_probs, detection = model(batch["features"], batch["momenta"], batch["mask"], batch["global_features"])
    for onnx_out, torch_out in zip(outputs, [*log_probs, detection]):
        torch_out = torch_out.numpy()
        assert onnx_out.shape == torch_out.shape
        finite = np.isfinite(torch_out)
        assert np.array_equal(finite, np.isfinite(onnx_out))
        assert np.allclose(onnx_out[finite], torch_out[finite], rtol=1e-4, atol=1e-5)
    valid = [valid_tuples(batch["mask"], 3)] * 2
    for decoder, decode in (("greedy", greedy_decode), ("exact", exact_decode)):
        tuples, assigned = decode_onnx_outputs(outputs, batch["mask"].numpy(), decoder)
        expected_tuples, expected_assigned = decode([lp.double() for lp in log_probs], valid)
        assert np.array_equal(assigned, expected_assigned.numpy())
        for got, expected in zip(tuples, expected_tuples):
            assert np.array_equal(got, expected.numpy())


def test_decode_onnx_outputs_rejects_bad_arguments():
    outputs = [np.zeros((2, 6, 6, 6)), np.zeros((2, 1))]
    with pytest.raises(ValueError, match="decoder must be one of"):
        decode_onnx_outputs(outputs, np.ones((2, 6), bool), "beam")
    with pytest.raises(ValueError, match="not matching the mask"):
        decode_onnx_outputs(outputs, np.ones((2, 7), bool))


def test_onnx_with_two_inputs_met_and_particles_of_three_and_two_products(semileptonic_file, tmp_path):
    topology = EventTopology.from_yaml(semileptonic_file.with_suffix(".yaml"))
    events = read_assignment_file(semileptonic_file, topology, 64)
    dataset = AssignmentDataset(events)
    torch.manual_seed(0)
    net = {"hidden_channels": 8, "num_blocks": 1, "num_heads": 2}
    model = get_wrapper("assignment", "transformer")(
        net=net, topology=topology, invariant_features=["mass"], features=8, rank=4
    )
    model.fit_normalization(events.features, events.mask, events.global_features)
    model.fit_regression_statistics(events.regressions)
    model = model.float().eval()
    path = tmp_path / "semileptonic.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = export_onnx(model, path, dataset.__getitems__(list(range(8))))
    assert names[:3] == ["log_probs_ht", "log_probs_lt", "detection_logits"]
    session = onnxruntime.InferenceSession(str(path))
    batch = dataset.__getitems__(list(range(10, 40)))
    outputs = session.run(names, {i.name: batch[i.name].numpy() for i in session.get_inputs()})
    with torch.no_grad():
        log_probs, detection, (regressions, _) = model(
            batch["features"], batch["momenta"], batch["mask"], batch["global_features"]
        )
    assert [o.ndim for o in outputs[:2]] == [4, 3]
    for onnx_out, torch_out in zip(outputs, [*log_probs, detection, *regressions.unbind(-1)]):
        finite = np.isfinite(torch_out.numpy())
        assert np.allclose(onnx_out[finite], torch_out.numpy()[finite], rtol=1e-4, atol=1e-4)
    valid = [valid_tuples(batch["mask"], k) for k in (3, 2)]
    tuples, assigned = decode_onnx_outputs(outputs, batch["mask"].numpy(), "exact", num_particles=2)
    expected_tuples, expected_assigned = exact_decode([lp.double() for lp in log_probs], valid)
    assert np.array_equal(assigned, expected_assigned.numpy())
    assert all(np.array_equal(got, want.numpy()) for got, want in zip(tuples, expected_tuples))


@pytest.mark.parametrize("training", [True, False])
def test_export_puts_the_model_back_in_its_mode(training, spanet_file, tmp_path):
    model, dataset, _ = build("transformer", spanet_file)
    model = model.float().train(training)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        export_onnx(model, tmp_path / "assignment.onnx", dataset.__getitems__(list(range(8))))
    assert all(module.training == training for module in model.modules())
