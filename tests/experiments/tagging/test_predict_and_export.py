"""After training: per-jet predictions for new files and the ONNX export of the tagger, end to end
through the real config, HDF5 files and onnxruntime."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import h5py
import numpy as np
import onnxruntime
import pytest
import torch
from experiment_test_utils import compose_config, run_cli
from tagging_test_utils import tagging_overrides, write_lgn_jets

from experiments.base_experiment import ExperimentInputError
from experiments.common.config_schema import ConfigError
from experiments.common.onnx_export import PARITY_ATOL, PARITY_RTOL
from experiments.common.predict import write_predictions
from experiments.registry import get_experiment
from lorentznets.data.readers import load_jets
from tests.data.readers.jet_files import random_jets, write_jetclass
from tests.data.readers.test_unlabelled_files import write_labelled_and_unlabelled

TINY = {"training.iterations": 4, "training.validate_every": 4, "data.split_fractions": "[0.5,0.25,0.25]"}


def _run(tmp_path, data_path, **overrides):
    cfg = compose_config("toptagging", tagging_overrides(tmp_path, data_path, run_name="r", **TINY, **overrides))
    experiment = get_experiment(cfg.experiment)(cfg)
    return experiment, experiment.run()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A run folder with one tiny trained tagger, and a new file of 50 jets to predict."""
    tmp_path = tmp_path_factory.mktemp("trained")
    train = write_lgn_jets(tmp_path / "train.h5", num_jets=80)
    new = write_lgn_jets(tmp_path / "new.h5", num_jets=50, seed=5)
    _run(tmp_path, train, evaluate=False, plot=False)
    return tmp_path, new


def test_predict_writes_scores_labels_and_event_ids_without_reading_the_training_data(trained):
    tmp_path, new = trained
    # The training file is gone: predicting must not need it.
    experiment, metrics = _run(
        tmp_path,
        tmp_path / "deleted.h5",
        train=False,
        warm_start_idx=0,
        **{"predict.files": f"[{new},{new}]", "evaluation.batchsize": 16},
    )
    assert metrics == {} and experiment.datasets == {}
    (output,) = (tmp_path / "runs" / "toptagging" / "r" / "predictions").iterdir()
    jets = load_jets(new, max_particles=30)
    with h5py.File(output) as file:
        assert json.loads(file.attrs["class_names"]) == ["QCD", "top"]
        assert [name.decode() for name in file["file"][:]] == [str(new)] * 100
        np.testing.assert_array_equal(file["index"][:], np.tile(np.arange(50), 2))
        np.testing.assert_array_equal(file["label"][:], np.tile(jets.labels.numpy(), 2))
        scores = file["scores"][:]
    with torch.no_grad():
        logits = experiment.raw_model(jets.momenta, jets.mask)[:, 0]
    expected = torch.stack([1 - torch.sigmoid(logits), torch.sigmoid(logits)], dim=1).numpy()
    np.testing.assert_allclose(scores, np.tile(expected, (2, 1)), atol=1e-6)


STREAMED = {"data.streaming": True, "data.stream.window_jets": 16, "data.stream.block_jets": 4, "training.batchsize": 8}


@pytest.mark.parametrize(
    ("override", "relative", "change"),
    [
        ({"data.split_seed": 7}, False, "data.split_seed: 0 -> 7"),
        ({"data.split_seed": 7}, True, "data.split_seed: 0 -> 7"),
        (STREAMED, False, r"splits streamed: False -> True \(data.streaming=True\)"),
        ({**STREAMED, "resume": True}, False, r"splits streamed: False -> True \(data.streaming=True\)"),
    ],
)
def test_reloading_on_the_training_file_with_other_splits_is_refused(trained, override, relative, change):
    """Another split seed, or streamed consecutive ranges instead of random rows, would put the
    model's training jets into its test split: refused also where the file is named by a relative
    path, and for an evaluation with resume=true (which only a training resumes)."""
    tmp_path, _ = trained
    path = tmp_path / "train.h5"
    with pytest.raises(
        ExperimentInputError,
        match=rf"warm_start_idx=0: .*model_run0.pt was trained on the same data with other split settings \({change}\)",
    ):
        _run(tmp_path, os.path.relpath(path) if relative else path, train=False, warm_start_idx=0, **override)


@pytest.mark.parametrize("predict", [False, True])
def test_reloading_with_other_model_settings_is_refused(trained, predict):
    """Weights of equal shapes under another num_heads compute another function (test AUC 0.86
    against 0.84 in a probe), and its metrics were filed as the saved model's."""
    tmp_path, new = trained
    files = {"predict.files": f"[{new}]"} if predict else {}
    with pytest.raises(ExperimentInputError, match=r"trained with other settings \(model\.net\.num_heads: 2 -> 4\)"):
        _run(tmp_path, tmp_path / "train.h5", train=False, warm_start_idx=0, **files, **{"model.net.num_heads": 4})
    # dropout only regularises the training: it may differ
    _run(tmp_path, tmp_path / "train.h5", train=False, warm_start_idx=0, plot=False, **{"model.net.dropout": 0.3})


def test_reloading_a_model_of_another_experiment_is_refused(trained):
    tmp_path, _ = trained
    models = tmp_path / "runs" / "toptagging" / "r" / "models"
    checkpoint = torch.load(models / "model_run0.pt", weights_only=True)
    checkpoint["config"]["experiment"] = "qgtagging"
    torch.save(checkpoint, models / "model_run7.pt")
    try:
        with pytest.raises(ExperimentInputError, match="model_run7.pt is a model of the experiment 'qgtagging', not"):
            _run(tmp_path, tmp_path / "train.h5", train=False, warm_start_idx=7)
    finally:
        (models / "model_run7.pt").unlink()


def test_predicting_with_another_max_particles_warns(trained, caplog):
    """The scores change with the cut on constituents (AUC 0.897 against 0.890 in a user's run)."""
    tmp_path, new = trained
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        _run(tmp_path, new, train=False, warm_start_idx=0, **{"predict.files": f"[{new}]", "data.max_particles": 20})
    assert any(
        "data.max_particles=20, but model_run0 was trained on the 30 hardest constituents" in record.getMessage()
        for record in caplog.records
    )


def test_bad_files_to_predict_are_one_clear_error(trained):
    tmp_path, new = trained
    predict = {"train": False, "warm_start_idx": 0}
    with pytest.raises(ExperimentInputError, match=r"missing\.h5: no such file"):
        _run(tmp_path, new, **predict, **{"predict.files": f"[{new},{tmp_path / 'missing.h5'}]"})
    # A bad second file is found while predicting; no predictions file is left behind.
    nan = write_lgn_jets(tmp_path / "nan.h5", num_jets=20)
    with h5py.File(nan, "r+") as file:
        file["Pmu"][7, 0, 0] = np.nan
    output = tmp_path / "bad_predictions.h5"
    with pytest.raises(ExperimentInputError, match=r"^predict\.files: ValueError: .*nan\.h5.*NaN"):
        _run(tmp_path, new, **predict, **{"predict.files": f"[{new},{nan}]", "predict.output": output})
    assert not output.exists() and not output.with_name(output.name + ".partial").exists()


@pytest.mark.parametrize("overrides", [{}, {"train": False, "warm_start_idx": 0, "export.onnx": True}])
def test_predict_without_training_or_export_is_checked_with_the_config(trained, tmp_path, overrides):
    _, new = trained
    cfg = compose_config("toptagging", tagging_overrides(tmp_path, new, **{"predict.files": f"[{new}]"}, **overrides))
    with pytest.raises(ConfigError, match=r"predict\.files is set: predict with train=false"):
        get_experiment(cfg.experiment).check_config(cfg)


def test_an_output_that_would_destroy_data_is_refused_with_the_config(trained, tmp_path):
    _, new = trained
    other = tmp_path / "notes.h5"
    with h5py.File(other, "w") as file:
        file["x"] = np.arange(3)
    earlier = tmp_path / "earlier_predictions.h5"
    write_predictions(earlier, ["a.h5"], lambda name: iter([{"scores": np.zeros(2)}]))
    predict = {"predict.files": f"[{new}]", "train": False, "warm_start_idx": 0}
    for output, message in [
        (new, "is one of predict.files: it would be overwritten"),
        (tmp_path, "is a folder"),
        (other, "exists and is not a predictions file"),
    ]:
        cfg = compose_config("toptagging", tagging_overrides(tmp_path, new, **predict, **{"predict.output": output}))
        with pytest.raises(ConfigError, match=message):
            get_experiment(cfg.experiment).check_config(cfg)
    # an earlier predictions file may be replaced
    cfg = compose_config("toptagging", tagging_overrides(tmp_path, new, **predict, **{"predict.output": earlier}))
    get_experiment(cfg.experiment).check_config(cfg)


def test_export_writes_onnx_and_preprocessing_matching_torch(trained):
    tmp_path, new = trained
    experiment, _ = _run(
        tmp_path,
        tmp_path / "train.h5",
        train=False,
        warm_start_idx=0,
        evaluate=False,
        plot=False,
        **{"export.onnx": True},
    )
    models = tmp_path / "runs" / "toptagging" / "r" / "models"
    description = json.loads((models / "model_run0.preprocessing.json").read_text())
    assert description["four_vector_order"] == ["E", "px", "py", "pz"] and description["units"] == "GeV"
    assert [(i["name"], i["dtype"], i["shape"]) for i in description["inputs"]] == [
        ("momenta", "float32", ["batch", "particles", 4]),
        ("mask", "bool", ["batch", "particles"]),
    ]
    scale = float(experiment.raw_model.momentum_scale)
    assert description["preprocessing"]["momentum_scale_gev"] == pytest.approx(scale)
    assert description["parity"]["max_abs_difference_on_example"] <= PARITY_ATOL
    # New jets, another batch size and particle count than the traced example.
    jets = load_jets(new, max_particles=30)
    session = onnxruntime.InferenceSession(str(models / description["model_file"]))
    (logits,) = session.run(None, {"momenta": jets.momenta.numpy(), "mask": jets.mask.numpy()})
    with torch.no_grad():
        expected = experiment.raw_model(jets.momenta, jets.mask).numpy()
    np.testing.assert_allclose(logits, expected, rtol=PARITY_RTOL, atol=PARITY_ATOL)


def test_export_of_a_net_onnx_cannot_express_is_refused_with_the_config(trained, tmp_path):
    _, new = trained
    overrides = [o for o in tagging_overrides(tmp_path, new, run_name="lgn", **TINY) if not o.startswith("model.net")]
    cfg = compose_config("toptagging", [*overrides, "model=lgn", "export.onnx=true"])
    with pytest.raises(ConfigError, match=r"^config key export\.onnx=true is not allowed for model='lgn': ONNX has no"):
        get_experiment(cfg.experiment).check_config(cfg)


@pytest.mark.slow
def test_predict_command_from_the_run_folder(trained):
    tmp_path, new = trained
    run_dir = tmp_path / "runs" / "toptagging" / "r"
    output = tmp_path / "cli_predictions.h5"
    args = ["-cp", str(run_dir), "-cn", "config", "train=false", "warm_start_idx=0"]
    result = run_cli([*args, f"predict.files=[{new}]", f"predict.output={output}", "data.path=/nowhere.h5"])
    assert result.returncode == 0, result.stdout + result.stderr
    with h5py.File(output) as file:
        assert file["scores"].shape == (50, 2)


def test_files_without_labels_are_predicted_with_the_scores_of_their_labelled_copies(trained):
    """Every layout that can lack labels (lgn_h5, landscape_h5, EnergyFlow npz and HDF5, JetClass
    ROOT), without them through run.py: the same scores as the labelled copies, no ``label``."""
    tmp_path, _ = trained
    layouts = write_labelled_and_unlabelled(tmp_path)
    labelled = [files[0] for files in layouts.values()]
    unlabelled = [files[1] for files in layouts.values()]
    run_dir = tmp_path / "runs" / "toptagging" / "r"
    output = tmp_path / "unlabelled_predictions.h5"
    args = ["-cp", str(run_dir), "-cn", "config", "train=false", "warm_start_idx=0", "data.path=/nowhere.h5"]
    files = ",".join(map(str, unlabelled))
    result = run_cli([*args, f"predict.files=[{files}]", f"predict.output={output}"])
    assert result.returncode == 0, result.stdout + result.stderr
    with_labels = tmp_path / "labelled_predictions.h5"
    predict = {"predict.files": "[" + ",".join(map(str, labelled)) + "]", "predict.output": with_labels}
    _run(tmp_path, tmp_path / "deleted.h5", train=False, warm_start_idx=0, **predict)
    with h5py.File(output) as without, h5py.File(with_labels) as expected:
        assert "label" not in without and set(without) == {"file", "index", "scores"}
        np.testing.assert_allclose(without["scores"][:], expected["scores"][:], rtol=0, atol=1e-6)
        np.testing.assert_array_equal(without["index"][:], expected["index"][:])
        names = [Path(name.decode()).name for name in without["file"][:]]
        assert names == [Path(name.decode()).name.replace(".", "_unlabelled.", 1) for name in expected["file"][:]]
        truth = [load_jets(path, max_particles=30).labels.numpy() for path in labelled]
        np.testing.assert_array_equal(expected["label"][:], np.concatenate(truth))
    mixed = {"predict.files": f"[{labelled[0]},{unlabelled[0]}]"}
    different = r"lgn_unlabelled\.h5: predictions \['file', 'index', 'scores'\], the earlier events \[.*'label'"
    with pytest.raises(ExperimentInputError, match=different):
        _run(tmp_path, tmp_path / "deleted.h5", train=False, warm_start_idx=0, **mixed)


@pytest.mark.parametrize("impact_parameters", [False, True])
def test_jetclass_predictions_of_ten_classes_with_particle_ids(tmp_path, impact_parameters):
    """A JetClass tagger with particle-ID scalars (and the track impact parameters: ParT's full
    input), trained on one ROOT file, predicts another: the scalars' width comes from the file to
    predict, chunks cover the file in order."""
    files = {}
    for name, seed, count in (("train", 0, 60), ("new", 1, 45)):
        momenta, counts = random_jets(count, 12, seed=seed)
        files[name], _ = write_jetclass(tmp_path / f"{name}.root", momenta, counts, np.arange(count) % 10, seed=seed)
    overrides = {
        "data.format": "jetclass_root",
        "data.max_jets": "null",
        "data.use_scalars": True,
        "data.impact_parameters": impact_parameters,
        "data.class_names": "[QCD,Hbb,Hcc,Hgg,H4q,Hqql,Zqq,Wqq,Tbqq,Tbl]",
        "training.batchsize": 8,
        "training.iterations": 2,
        "training.validate_every": 2,
        "evaluate": False,
        "plot": False,
    }
    train = compose_config("jetclass", tagging_overrides(tmp_path, files["train"], run_name="j", **overrides))
    get_experiment(train.experiment)(train).run()
    predict = {**overrides, "train": False, "warm_start_idx": 0, "evaluation.batchsize": 16}
    predict["predict.files"] = f"[{files['new']}]"
    cfg = compose_config("jetclass", tagging_overrides(tmp_path, tmp_path / "gone.root", run_name="j", **predict))
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    (output,) = (tmp_path / "runs" / "jetclass" / "j" / "predictions").iterdir()
    jets = load_jets(files["new"], max_particles=30, impact_parameters=impact_parameters)
    assert jets.scalars.shape[-1] == (10 if impact_parameters else 6)
    with h5py.File(output) as file:
        scores = file["scores"][:]
        np.testing.assert_array_equal(file["label"][:], np.arange(45) % 10)
        np.testing.assert_array_equal(file["index"][:], np.arange(45))
    with torch.no_grad():
        logits = experiment.raw_model(jets.momenta, jets.mask, jets.scalars)
    np.testing.assert_allclose(scores, torch.softmax(logits, dim=1).numpy(), atol=1e-6)
    # The export describes the scalars it takes, in order.
    export = {**overrides, "train": False, "warm_start_idx": 0, "export.onnx": True}
    cfg = compose_config("jetclass", tagging_overrides(tmp_path, files["train"], run_name="j", **export))
    get_experiment(cfg.experiment)(cfg).run()
    description = json.loads(
        (tmp_path / "runs" / "jetclass" / "j" / "models" / "model_run0.preprocessing.json").read_text()
    )
    scalars = description["inputs"][2]
    assert scalars["shape"] == ["batch", "particles", jets.scalars.shape[-1]]
    assert scalars["description"].startswith("per-constituent JetClass branches, in order: part_charge, ")
    assert ("tanh(part_d0val)" in scalars["description"]) == impact_parameters
    assert description["outputs"][0]["shape"] == ["batch", 10] and len(description["class_names"]) == 10


def test_a_k_nearest_neighbour_export_states_its_fewest_particle_slots(trained):
    """torch pads a batch shorter than k + 1 slots inside ParticleNet; the traced graph cannot, so
    the description says how far to pad (the graph then gives torch's scores)."""
    tmp_path, new = trained
    overrides = tagging_overrides(tmp_path, tmp_path / "train.h5", run_name="pn", **TINY)
    overrides = ["model=particlenet", *(o for o in overrides if not o.startswith("model.net."))]
    cfg = compose_config("toptagging", [*overrides, "evaluate=false", "plot=false", "export.onnx=true"])
    experiment = get_experiment(cfg.experiment)(cfg)
    experiment.run()
    models = tmp_path / "runs" / "toptagging" / "pn" / "models"
    preprocessing = json.loads((models / "model_run0.preprocessing.json").read_text())["preprocessing"]
    fewest = preprocessing["min_particles"]
    assert fewest == 1 + max(k for k, _ in cfg.model.net.conv_params)
    jets = load_jets(new, max_particles=30)
    short = jets.mask[:, 8:].logical_not().all(dim=1).nonzero().flatten()[:3]  # jets of at most 8 constituents
    assert len(short) == 3
    momenta, mask = jets.momenta[short, :fewest], jets.mask[short, :fewest]
    session = onnxruntime.InferenceSession(str(models / "model_run0.onnx"))
    (logits,) = session.run(None, {"momenta": momenta.numpy(), "mask": mask.numpy()})
    with torch.no_grad():
        expected = experiment.raw_model(jets.momenta[short, :8], jets.mask[short, :8]).numpy()
    np.testing.assert_allclose(logits, expected, rtol=PARITY_RTOL, atol=PARITY_ATOL)
