"""``data.features=weaver`` on EnergyFlow files: the particle-ID scalars are weaver's six
``qg_kinpid`` flags in every way a run reads the files (splits in memory, streamed, the exports'
head, predicted files), its inputs those of weaver-core's ``qg_kinpid`` data config on the
Particle Transformer converter's table; ``lorentznets`` keeps charge and one-hot of abs(pid)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tagging_test_utils import STREAMED, tiny_experiment

from lorentznets.data.convert.weaver_pid import WEAVER_PID_FLAGS
from tests.data.convert.test_weaver_pid import converter_flags, converter_scalars
from tests.data.readers.test_energyflow_npz_reader import reference


def _expected_scalars(batch, X, features):
    """The scalars of each real constituent of a batch from the file's pid, found by its pt (the
    file's pts are distinct): weaver's flags, or charge and one-hot of abs(pid)."""
    real = X[..., 0] > 0
    pts, pids = X[..., 0][real], X[..., 3][real]
    order = np.argsort(pts)
    momenta = batch["momenta"][batch["mask"]].double().numpy()
    found = order[np.searchsorted(pts[order], np.hypot(momenta[:, 1], momenta[:, 2]) * (1 - 1e-6))]
    np.testing.assert_allclose(pts[found], np.hypot(momenta[:, 1], momenta[:, 2]), rtol=1e-5)
    if features == "weaver":
        return converter_flags(pids[found])
    n = len(found)  # one jet of them, by decreasing pt in the order found
    rows = np.stack([np.arange(n, 0, -1.0), np.zeros(n), np.zeros(n), pids[found]], axis=-1)
    return reference(rows[None], n)[1][0]


@pytest.mark.parametrize("streamed", [False, True])
def test_every_reading_path_gives_the_conventions_scalars(tmp_path, qg_file, streamed):
    path, X = qg_file
    settings = STREAMED if streamed else {"data.streaming": False}
    for features, width in (("lorentznets", 9), ("weaver", 6)):
        experiment = tiny_experiment(tmp_path / features, path, **settings, **{"data.features": features})
        experiment.datasets = experiment.init_data()
        assert experiment.streamed == streamed
        assert experiment.datasets["train"].num_scalars == width  # the width the net is built for
        batches = [next(iter(experiment.loader(split, batch_size=40))) for split in ("train", "val", "test")]
        batches.append(experiment.datasets["val"].head(4))  # the exports' input example
        if streamed:  # the shuffled training stream
            batches.append(next(iter(experiment.datasets["train"])))
        batches.extend(experiment._file_batches(path, batch_size=40))  # predict.files
        for batch in batches:
            scalars = batch["scalars"][batch["mask"]].numpy()
            np.testing.assert_array_equal(scalars, _expected_scalars(batch, X, features))
        experiment.predict_files = [path]
        assert experiment._predict_num_scalars() == width


def test_onnx_description_names_weavers_flags(tmp_path, qg_file):
    experiment = tiny_experiment(tmp_path, qg_file[0], **{"data.features": "weaver", "data.streaming": False})
    experiment.datasets = experiment.init_data()
    experiment.raw_model = experiment.init_model()
    scalars = experiment.onnx_description()["inputs"]["scalars"]
    assert scalars["shape"][-1] == 6
    assert ", ".join(WEAVER_PID_FLAGS) in scalars["description"]


def test_weaver_massless_gives_the_inputs_of_weavers_qg_kinpid_models(tmp_path):
    """weaver-core's ``qg_kinpid`` ``pf_features`` of the Particle Transformer converter's table
    (its formulas in numpy) against ours of the EnergyFlow file read with ``data.features=weaver``
    and massless constituents: all 13 columns equal to float32 rounding."""
    pytest.importorskip("weaver.utils.dataset")
    from test_weaver_features import _weaver

    from experiments.tagging.features import constituent_inputs, reading_options
    from lorentznets.data.readers import load_jets
    from tests.data.readers.test_energyflow_constituent_mass import collimated_quark_gluon_file

    path, converted, X = collimated_quark_gluon_file(tmp_path / "QG_jets.npz")
    flags = converter_scalars(X, 30)
    kept = [jet[:, 0] > 0 for jet in converted]
    # the helper's table takes ten JetClass-like columns: the six flags, then four unused by qg_kinpid
    scalars = [np.concatenate([f[k], np.zeros((k.sum(), 4))], axis=1) for f, k in zip(flags, kept, strict=True)]
    length = 20
    jets_in = [jet[k].astype(np.float64) for jet, k in zip(converted, kept, strict=True)]
    expected = _weaver(jets_in, "kinpid", length, scalars)["pf_features"].transpose(1, 2)
    for features in ("weaver", "lorentznets"):
        data = {"impact_parameters": False, "constituent_mass": "massless", "features": features}
        jets = load_jets(path, max_particles=length, reading=reading_options(data))
        inputs = constituent_inputs(
            jets.momenta.double(), jets.mask, jets.scalars.double(), "weaver", jets.jets.double()[:, None]
        )
        if features == "lorentznets":  # our charge and one-hot: 16 columns where weaver's models take 13
            assert inputs.shape[-1] == 16 != expected.shape[-1]
            continue
        assert inputs.shape == expected.shape
        difference = (inputs - expected)[jets.mask].abs().max(0).values
        assert difference.max() < 1e-5, difference
        assert torch.equal(inputs[..., 5:11][jets.mask], expected[..., 5:11][jets.mask])
