import warnings

import h5py
import numpy as np
import onnxruntime
import pytest
import torch
from assignment_test_utils import EVENT_TARGET_OUTPUTS, boosted_batch, write_event_target_file
from experiment_test_utils import compose_config
from test_assignment_experiment import overrides
from test_wrappers import NETS

from experiments.assignment.dataset import AssignmentDataset
from experiments.assignment.onnx_export import decode_onnx_outputs, export_onnx
from experiments.assignment.reader import read_assignment_file
from experiments.registry import get_experiment, get_wrapper
from lorentznets.assignment.event_heads import saved_num_classes
from lorentznets.assignment.topology import EventTopology
from lorentznets.lorentz import random_lorentz_transform


def read(path):
    return read_assignment_file(path, EventTopology.from_yaml(path.with_suffix(".yaml")))


def test_reader_reads_declared_targets(event_target_file):
    events = read(event_target_file)
    assert events.regression_names == ("EVENT/mean_pt", "t1/PARTICLE/mass")
    assert events.classification_names == ("EVENT/hard",)
    with h5py.File(event_target_file) as handle:
        expected = handle["REGRESSIONS/t1/PARTICLE/mass"][:]
        labels = handle["CLASSIFICATIONS/EVENT/hard"][:]
    assert np.array_equal(events.regressions[:, 1].numpy(), expected, equal_nan=True)
    assert torch.isnan(events.regressions[::10, 0]).all()
    assert np.array_equal(events.classifications[:, 0].numpy(), labels)
    subset = events.subset(torch.tensor([3, 1]))
    assert subset.classifications.shape == (2, 1) and subset.regressions.shape == (2, 2)


def _rewrite(key, values):
    def edit(handle):
        del handle[key]
        handle[key] = values

    return edit


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda h: h.__delitem__("REGRESSIONS/t1/PARTICLE/mass"), KeyError, "'REGRESSIONS/t1/PARTICLE/mass'"),
        (lambda h: h.__delitem__("CLASSIFICATIONS/EVENT/hard"), KeyError, "'CLASSIFICATIONS/EVENT/hard'"),
        (
            _rewrite("REGRESSIONS/EVENT/mean_pt", np.zeros(39, np.float32)),
            ValueError,
            r"shape \(39,\), expected \(40,\)",
        ),
        (_rewrite("CLASSIFICATIONS/EVENT/hard", np.zeros((40, 2), np.int64)), ValueError, r"shape \(40, 2\)"),
        (_rewrite("CLASSIFICATIONS/EVENT/hard", np.full(40, 0.5)), ValueError, "integer class labels, event 0"),
        (_rewrite("CLASSIFICATIONS/EVENT/hard", np.array(["a"] * 40, dtype="S1")), ValueError, "integer class"),
        (
            _rewrite("CLASSIFICATIONS/EVENT/hard", np.r_[0, 1, -2, np.zeros(37, int)]),
            ValueError,
            "event 2 has class -2",
        ),
        (_rewrite("REGRESSIONS/EVENT/mean_pt", np.r_[1.0, np.inf, np.ones(38)]), ValueError, "event 1 is infinite"),
    ],
)
def test_bad_event_targets_name_file_key_and_problem(tmp_path, edit, error, message):
    path = write_event_target_file(tmp_path / "bad.h5", num_events=40)
    with h5py.File(path, "a") as handle:
        edit(handle)
    with pytest.raises(error, match=message) as info:
        read(path)
    assert str(path) in str(info.value)


def build(path, seed=0, name="transformer"):
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    dataset = AssignmentDataset(read_assignment_file(path, topology, 64))
    torch.manual_seed(seed)
    model = get_wrapper("assignment", name)(
        net=NETS[name],
        topology=topology,
        invariant_features=["mass", "btag"],
        features=12,
        rank=6,
        num_classes=[2],
    )
    events = dataset.events
    model.fit_normalization(events.features, events.mask, events.global_features)
    model.fit_regression_statistics(events.regressions)
    model.set_momentum_scale(float(dataset.momenta[events.mask].std()))
    return model.eval(), dataset, topology


def test_heads_shapes_and_reload_without_the_training_file(event_target_file, tmp_path):
    model, dataset, topology = build(event_target_file)
    batch = dataset.__getitems__(list(range(8)))
    with torch.no_grad():
        log_probs, detection, (regressions, logits) = model(
            batch["features"], batch["momenta"], batch["mask"], batch["global_features"]
        )
    assert [lp.shape[0] for lp in log_probs] == [8, 8] and detection.shape == (8, 2)
    assert regressions.shape == (8, 2) and [lg.shape for lg in logits] == [(8, 2)]
    # Outputs are in GeV: around the training means (within a few standard deviations in the
    # space each target is fitted in; the top mass is log_gaussian), not around 0.
    heads = model.event_heads
    assert heads.standardize(regressions).mean(0).abs().max() < 5
    assert torch.all(regressions.mean(0) / heads.mean_prediction() > 0.2)
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    state = torch.load(path)
    fresh = get_wrapper("assignment", "transformer")(
        net=NETS["transformer"],
        topology=topology,
        invariant_features=["mass", "btag"],
        features=12,
        rank=6,
        num_classes=saved_num_classes(state),
    ).eval()
    fresh.load_state_dict(state)
    with torch.no_grad():
        again = fresh(batch["features"], batch["momenta"], batch["mask"], batch["global_features"])
    assert torch.equal(again[2][0], regressions) and torch.equal(again[2][1][0], logits[0])
    with pytest.raises(ValueError, match="num_classes is required"):
        get_wrapper("assignment", "transformer")(
            net=NETS["transformer"], topology=topology, invariant_features=["mass"], features=12, rank=6
        )


@pytest.mark.parametrize("name", ["gatr", "pelican", "lorentznet"])
def test_event_outputs_of_equivariant_backbones_are_lorentz_invariant(event_target_file, name):
    model, dataset, _ = build(event_target_file, name=name)
    model = model.double()
    batch = dataset.__getitems__(list(range(8)))
    batch = {k: (v.double() if torch.is_tensor(v) and v.is_floating_point() else v) for k, v in batch.items()}
    # Features recomputed from the stored momenta on both sides, so the masses agree.
    batch = boosted_batch(batch, torch.eye(4, dtype=torch.float64).expand(8, 4, 4))
    transform = random_lorentz_transform((8,), max_rapidity=6.0, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        _, _, (regressions, logits) = model(
            batch["features"], batch["momenta"], batch["mask"], batch["global_features"]
        )
        moved = boosted_batch(batch, transform)
        _, _, (boosted_regressions, boosted_logits) = model(
            moved["features"], moved["momenta"], moved["mask"], moved["global_features"]
        )
    torch.testing.assert_close(boosted_regressions, regressions, rtol=1e-6, atol=1e-8)
    torch.testing.assert_close(boosted_logits[0], logits[0], rtol=1e-6, atol=1e-8)


def test_onnx_parity_with_event_outputs(event_target_file, tmp_path):
    model, dataset, topology = build(event_target_file)
    path = tmp_path / "assignment.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = export_onnx(model, path, dataset.__getitems__(list(range(8))))
    assert names == EVENT_TARGET_OUTPUTS
    session = onnxruntime.InferenceSession(str(path))
    batch = dataset.__getitems__(list(range(20, 45)))
    outputs = session.run(names, {i.name: batch[i.name].numpy() for i in session.get_inputs()})
    with torch.no_grad():
        log_probs, detection, (regressions, logits) = model(
            batch["features"], batch["momenta"], batch["mask"], batch["global_features"]
        )
    expected = [*log_probs, detection, *regressions.unbind(-1), *logits]
    for onnx_out, torch_out in zip(outputs, expected, strict=True):
        torch_out = torch_out.numpy()
        assert onnx_out.shape == torch_out.shape
        finite = np.isfinite(torch_out)
        assert np.allclose(onnx_out[finite], torch_out[finite], rtol=1e-4, atol=1e-4)
    tuples, assigned = decode_onnx_outputs(outputs, batch["mask"].numpy(), "exact", num_particles=2)
    assert len(tuples) == 2 and assigned.shape == (25, 2)
    with pytest.raises(ValueError, match="not matching the mask"):
        decode_onnx_outputs(outputs, batch["mask"].numpy())


def test_experiment_trains_heads_reports_metrics_and_reloads(tmp_path, event_target_file):
    values = {
        "model.net.hidden_channels": 8,
        "model.net.num_blocks": 1,
        "training.iterations": 60,
        "training.validate_every": 60,
        "training.batchsize": 32,
        "training.optimizer.lr": 5.0e-3,
        "training.regression_loss_weight": 2.0,
        "plot": False,
    }
    cfg = compose_config("ttbar_assignment", overrides(tmp_path, event_target_file, **values))
    metrics = get_experiment(cfg.experiment)(cfg).run()
    for key in ("EVENT/mean_pt", "t1/PARTICLE/mass"):
        for name in ("rmse", "residual_std", "rmse_mean_prediction", "num_events"):
            assert np.isfinite(metrics[f"test.regression.{key}.{name}"])
    # Mean jet pt is an easy target: clearly better than predicting the training mean.
    rmse = metrics["test.regression.EVENT/mean_pt.rmse"]
    assert rmse < 0.8 * metrics["test.regression.EVENT/mean_pt.rmse_mean_prediction"]
    assert 0.0 <= metrics["test.classification.EVENT/hard.accuracy"] <= 1.0
    assert 0.0 <= metrics["test.classification.EVENT/hard.auc"] <= 1.0
    assert 0.0 <= metrics["test.greedy.event_purity"] <= 1.0
    # Reload the saved model by warm start and evaluate it: identical numbers.
    cfg = compose_config(
        "ttbar_assignment", overrides(tmp_path, event_target_file, **values, train=False, warm_start_idx=0)
    )
    reloaded = get_experiment(cfg.experiment)(cfg).run()
    assert reloaded["test.regression.EVENT/mean_pt.rmse"] == pytest.approx(rmse, rel=1e-5)
