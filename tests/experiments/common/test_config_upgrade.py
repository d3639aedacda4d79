"""Run folders saved by an earlier version reload: keys added since get today's defaults."""

from __future__ import annotations

import sys

import pytest
from experiment_test_utils import REPO, compose_config, run_cli
from omegaconf import OmegaConf

from experiments.common.config_upgrade import fill_added_keys
from experiments.registry import get_experiment

EXPERIMENTS = sorted(p.stem for p in (REPO / "config" / "tasks").glob("*.yaml"))


@pytest.mark.parametrize("folder", ["config", "config_paper"])
@pytest.mark.parametrize("name", EXPERIMENTS)
def test_todays_configs_lack_nothing(folder, name):
    if not (REPO / folder / f"{name}.yaml").is_file():
        pytest.skip(f"no {folder}/{name}.yaml")
    assert fill_added_keys(compose_config(name, [], folder), REPO / "config") == []


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_a_config_without_later_keys_gets_them_and_passes_the_schema(name):
    cfg = compose_config(name, [])
    old = OmegaConf.to_container(cfg, resolve=False)
    del old["evaluation"]["splits"], old["training"]["finetune"], old["predict"]
    old["model"]["net"].pop(next(iter(old["model"]["net"])))  # the net's arguments stay as saved
    old = OmegaConf.create(old)
    OmegaConf.set_struct(old, True)
    added = fill_added_keys(old, REPO / "config")
    assert set(added) == {"evaluation.splits", "training.finetune", "predict"}
    # today's value of the experiment's quick config (ptopreco's evaluates [val, test])
    assert old.evaluation.splits == cfg.evaluation.splits and list(old.predict.files) == []
    assert len(old.model.net) == len(cfg.model.net) - 1
    cfg.model.net = old.model.net
    assert old == cfg


def test_custom_experiments_are_left_alone():
    cfg = OmegaConf.create({"experiment": "toy_experiment:ToyExperiment"})
    assert fill_added_keys(cfg, REPO / "config") == []


@pytest.mark.slow
def test_reload_of_a_run_folder_saved_before_keys_were_added(tmp_path, jets_file_for_upgrade):
    overrides = [
        f"data.path={jets_file_for_upgrade}",
        "data.generate=null",
        f"base_dir={tmp_path}",
        "run_name=old",
        "model.net.hidden_channels=8",
        "model.net.num_blocks=1",
        "model.net.num_heads=2",
        "data.max_particles=20",
        "training.iterations=4",
        "training.validate_every=2",
        "use_mlflow=false",
        "progress=false",
        "plot=false",
        "num_threads=1",
    ]
    assert run_cli(["-cn", "toptagging", *overrides]).returncode == 0
    run_dir = tmp_path / "runs" / "toptagging" / "old"
    saved = OmegaConf.load(run_dir / "config.yaml")
    del saved["evaluation"]["splits"], saved["training"]["finetune"]
    OmegaConf.save(saved, run_dir / "config.yaml")
    result = run_cli(["-cp", str(run_dir), "-cn", "config", "train=false", "warm_start_idx=0"])
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (line,) = [line for line in result.stdout.splitlines() if "the config predates the keys" in line]
    assert "evaluation.splits" in line and "training.finetune" in line


@pytest.fixture
def jets_file_for_upgrade(tmp_path):
    sys.path.insert(0, str(REPO / "tests" / "experiments" / "tagging"))
    from tagging_test_utils import write_lgn_jets

    return write_lgn_jets(tmp_path / "jets.h5", num_jets=200)


def test_schema_refuses_the_old_config_without_the_upgrade():
    cfg = compose_config("toptagging", [])
    old = OmegaConf.to_container(cfg, resolve=False)
    del old["training"]["finetune"]
    old = OmegaConf.create(old)
    with pytest.raises(Exception, match="training.finetune"):
        get_experiment("toptagging").check_config(old)
