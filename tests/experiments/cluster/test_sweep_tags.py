"""MLflow tags of sweep jobs, read from the real Hydra job config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from experiment_test_utils import compose_config
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, open_dict

from experiments.common.sweep_tags import sweep_tags


@pytest.fixture
def job_config(tmp_path) -> Iterator[DictConfig]:
    """A composed config with its ``hydra`` node; Hydra's job config is restored afterwards."""
    saved = HydraConfig.instance().cfg
    cfg = compose_config(
        "toptagging",
        ["hydra/sweeper=tagger_optuna", f"hydra.sweep.dir={tmp_path}/sweep"],
        return_hydra_config=True,
    )
    yield cfg
    HydraConfig.instance().cfg = saved


def test_a_multirun_job_is_tagged_with_its_sweep_job_and_study(job_config, tmp_path):
    with open_dict(job_config):
        job_config.hydra.mode = RunMode.MULTIRUN
        job_config.hydra.job.num = 3
    HydraConfig.instance().set_config(job_config)
    assert sweep_tags() == {"sweep.dir": str(tmp_path / "sweep"), "sweep.job": "3", "sweep.study": "tagger_lr_width"}


def test_a_sweeper_without_study_name_gives_no_study_tag(job_config):
    with open_dict(job_config):
        job_config.hydra.mode = RunMode.MULTIRUN
        job_config.hydra.job.num = 0
        job_config.hydra.sweeper.study_name = None
    HydraConfig.instance().set_config(job_config)
    assert set(sweep_tags()) == {"sweep.dir", "sweep.job"}


def test_a_single_run_has_no_sweep_tags(job_config):
    HydraConfig.instance().set_config(job_config)
    assert sweep_tags() == {}
