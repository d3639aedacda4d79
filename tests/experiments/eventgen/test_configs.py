import pytest
from experiment_test_utils import compose_config

from experiments.registry import get_experiment, wrappers_for
from lorentznets.flows import SolverConfig


@pytest.mark.parametrize("config_dir", ["config", "config_paper"])
@pytest.mark.parametrize("model", ["gatr", "transformer", "mlp"])
def test_configs_compose_for_every_model(config_dir, model):
    cfg = compose_config("ttbar", [f"model={model}"], config_dir)
    assert get_experiment(cfg.experiment).__name__ == "TTbarExperiment"
    assert cfg.model.name in wrappers_for("eventgen")
    assert cfg.flow.pt_min == cfg.cuts.pt_min
    for section in (cfg.sampling, cfg.likelihood):
        SolverConfig.cast(dict(section.solver))
    assert cfg.likelihood.trace in ("exact", "hutchinson")
    assert cfg.plotting.delta_r_pairs in ("all", "decay")
