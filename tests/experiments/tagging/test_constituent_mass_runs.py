"""``data.constituent_mass`` in tagging runs: validated with the config, refused for files that
store four-momenta, and applied to EnergyFlow files in every way a run reads them (splits in
memory, streamed splits, predicted files) and in the ONNX description."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config
from tagging_test_utils import STREAMED, tagging_overrides, tiny_experiment, write_lgn_jets

from experiments.common.config_schema import ConfigError
from experiments.common.errors import ExperimentInputError
from experiments.registry import get_experiment


def _mass_gap(momenta: torch.Tensor, mask: torch.Tensor) -> float:
    """Largest E - |p| of the real constituents, relative to E (0 up to rounding when massless)."""
    real = momenta[mask].double()
    return float(((real[:, 0] - real[:, 1:].norm(dim=-1)) / real[:, 0]).max())


@pytest.mark.parametrize("streamed", [False, True])
def test_massless_reaches_the_reader_in_memory_streamed_and_predicted(tmp_path, wide_qg_file, streamed):
    settings = STREAMED if streamed else {"data.streaming": False}
    gaps = {}
    for mass in ("pdg", "massless"):
        experiment = tiny_experiment(tmp_path / mass, wide_qg_file, **settings, **{"data.constituent_mass": mass})
        experiment.datasets = experiment.init_data()
        assert experiment.streamed == streamed
        batches = [next(iter(experiment.loader(split, batch_size=40))) for split in ("train", "val", "test")]
        batches.append(experiment.datasets["val"].head(4))  # the exports' input example
        if streamed:  # the shuffled training stream
            batches.append(next(iter(experiment.datasets["train"])))
        batches.extend(experiment._file_batches(wide_qg_file, batch_size=40))  # predict.files
        gaps[mass] = max(_mass_gap(batch["momenta"], batch["mask"]) for batch in batches)
    assert gaps["massless"] < 1e-6 < 1e-2 < gaps["pdg"], gaps


def test_files_of_four_momenta_are_refused(tmp_path, wide_qg_file):
    top = write_lgn_jets(tmp_path / "top.h5", num_jets=40)
    # format given: refused with the config
    for config, overrides in (("toptagging", {"data.format": "lgn_h5"}), ("jetclass", {})):
        cfg = compose_config(
            config, tagging_overrides(tmp_path, top, **overrides, **{"data.constituent_mass": "massless"})
        )
        with pytest.raises(
            ConfigError, match=r"data\.constituent_mass='massless' is not allowed: it applies to"
        ) as error:
            get_experiment(config).check_config(cfg)
        assert "\n" not in str(error.value)
    # format auto: refused by the reader, which knows the file's format
    experiment = tiny_experiment(tmp_path, top, "toptagging", **{"data.constituent_mass": "massless"})
    with pytest.raises(ValueError, match=r"top\.h5: constituent_mass='massless' applies to EnergyFlow"):
        experiment.init_data()
    # a file to predict of another format than the training files'
    experiment = tiny_experiment(tmp_path / "qg", wide_qg_file, **{"data.constituent_mass": "massless"})
    with pytest.raises(ValueError, match=r"format 'lgn_h5' stores four-momenta"):
        next(experiment._file_batches(top, batch_size=8))


def test_unknown_value_is_refused_with_the_config(tmp_path):
    cfg = compose_config(
        "qgtagging", tagging_overrides(tmp_path, tmp_path / "x.h5", **{"data.constituent_mass": "zero"})
    )
    with pytest.raises(ConfigError, match=r"data\.constituent_mass='zero' .*pdg, massless"):
        get_experiment(cfg.experiment).check_config(cfg)


@pytest.mark.parametrize(("mass", "note"), [("pdg", "PDG mass"), ("massless", "E = pt cosh(y)")])
def test_onnx_description_says_how_the_energies_are_made(tmp_path, wide_qg_file, mass, note):
    experiment = tiny_experiment(tmp_path, wide_qg_file, **{"data.constituent_mass": mass, "data.streaming": False})
    experiment.datasets = experiment.init_data()
    experiment.raw_model = experiment.init_model()
    assert note in experiment.onnx_description()["preprocessing"]["energy"]


def test_massless_gives_the_inputs_of_weavers_quark_gluon_models(tmp_path):
    """weaver-core's qg_kin features of the Particle Transformer converter's table (its formulas in
    numpy) against ours of the EnergyFlow file read massless: equal to float32 rounding; with the
    PDG masses log E, log E_rel, delta R and delta eta differ by up to about 0.5."""
    pytest.importorskip("weaver.utils.dataset")
    from test_weaver_features import _weaver

    from experiments.tagging.features import constituent_inputs
    from lorentznets.data.readers import load_jets
    from tests.data.readers.test_energyflow_constituent_mass import collimated_quark_gluon_file

    path, converted, X = collimated_quark_gluon_file(tmp_path / "QG_jets.npz")
    length = 20
    reference = _weaver([jet[jet[:, 0] > 0].astype(np.float64) for jet in converted], "kin", length)
    expected = reference["pf_features"].transpose(1, 2)
    differences = {}
    for mass in ("massless", "pdg"):
        jets = load_jets(path, max_particles=length, constituent_mass=mass)
        inputs = constituent_inputs(jets.momenta.double(), jets.mask, None, "weaver", jets.jets.double()[:, None])
        differences[mass] = (inputs - expected)[jets.mask].abs().max(0).values
    assert differences["massless"].max() < 1e-5, differences["massless"]
    assert (differences["pdg"][[1, 3, 4]] > 0.1).all(), differences["pdg"]


def test_a_saved_model_keeps_its_constituent_masses(tmp_path, wide_qg_file):
    """The weights were fitted to the energies the setting makes: a warm start or fine-tuning with
    the other value is refused; a model saved before the setting existed had PDG masses."""
    tiny_experiment(tmp_path, wide_qg_file, **{"data.constituent_mass": "massless"}).run()
    run = tmp_path / "runs" / "qgtagging" / "r"
    evaluate = {"train": False, "warm_start_idx": 0}
    with pytest.raises(ExperimentInputError, match=r"data\.constituent_mass: 'massless' -> 'pdg'"):
        tiny_experiment(tmp_path, wide_qg_file, **evaluate).run()
    with pytest.raises(ExperimentInputError, match=r"finetune\.from=.*data\.constituent_mass: 'massless' -> 'pdg'"):
        tiny_experiment(tmp_path / "ft", wide_qg_file, **{"training.finetune.from": str(run)}).run()
    path = run / "models" / "model_run0.pt"
    checkpoint = torch.load(path, weights_only=True)
    del checkpoint["config"]["data"]["constituent_mass"]
    torch.save(checkpoint, path)
    with pytest.raises(ExperimentInputError, match=r"data\.constituent_mass: 'pdg' -> 'massless'"):
        tiny_experiment(tmp_path, wide_qg_file, **evaluate, **{"data.constituent_mass": "massless"}).run()
