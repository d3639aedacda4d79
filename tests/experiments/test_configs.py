"""Every experiment x model pair the README offers builds from the real YAML files and passes the
config schema; pairs that are not offered, and bad values, fail at the start in one line."""

from __future__ import annotations

import pytest
from experiment_test_utils import REPO, compose_config
from omegaconf import OmegaConf

from experiments.base_experiment import BaseExperiment
from experiments.common.config_schema import ConfigError
from experiments.registry import get_experiment, wrappers_for

TAGGERS = ["gatr", "transformer", "pelican", "lorentznet", "lgn"]
OFFERED = {
    "toptagging": TAGGERS,
    "qgtagging": TAGGERS,
    "jetclass": TAGGERS,
    "ptopreco": ["pelican"],
    "amplitudes": ["gatr", "mlp", "transformer", "pelican", "lorentznet"],
    "ttbar": ["gatr", "transformer", "mlp"],
    "ttbar_assignment": ["transformer", "gatr", "pelican", "lorentznet"],
}
ALL_MODELS = sorted(p.stem for p in (REPO / "config" / "model").glob("*.yaml"))


@pytest.mark.parametrize("folder", ["config", "config_paper"])
@pytest.mark.parametrize("name", sorted(OFFERED))
def test_offered_pairs_pass_the_schema_and_others_are_refused(folder, name):
    if not (REPO / folder / f"{name}.yaml").is_file():
        pytest.skip(f"no {folder}/{name}.yaml")
    experiment = get_experiment(name)
    registered = wrappers_for(experiment.model_family)
    assert set(OFFERED[name]) <= set(registered)
    for model in ALL_MODELS:
        cfg = compose_config(name, [f"model={model}"], folder)
        assert cfg.experiment == name and cfg.model.name == model
        if model not in registered:
            with pytest.raises(ConfigError, match=f"model='{model}' is not offered for the experiment '{name}'"):
                experiment.check_config(cfg)
            continue
        experiment.check_config(cfg)
        if experiment.model_family == "tagging":
            # The YAML's net settings build the model.
            net = OmegaConf.to_container(cfg.model.net, resolve=True)
            options = OmegaConf.to_container(cfg.model.wrapper, resolve=True) if "wrapper" in cfg.model else {}
            wrapper = registered[model](net=net, out_channels=len(cfg.data.class_names), num_scalars=2, **options)
            assert sum(p.numel() for p in wrapper.parameters()) > 0


@pytest.mark.parametrize("folder", ["config", "config_paper"])
@pytest.mark.parametrize("name", sorted(OFFERED))
def test_shipped_objectives_select_on_the_validation_split(folder, name):
    """A sweeper maximising a test metric would choose on the test split and bias its figure."""
    if not (REPO / folder / f"{name}.yaml").is_file():
        pytest.skip(f"no {folder}/{name}.yaml")
    cfg = compose_config(name, [], folder)
    if cfg.objective is not None:
        assert str(cfg.objective).startswith("val."), cfg.objective
        get_experiment(name).check_config(cfg)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("training.batchsize=-4", "config key training.batchsize=-4 (int) is not allowed: expected an integer >= 1"),
        ("training.batchsize=0", "training.batchsize=0"),
        ("training.validate_every=0", "training.validate_every=0"),
        ("training.iterations=0", "training.iterations=0"),
        ("training.clip_grad_norm=-1", "training.clip_grad_norm=-1 (int) is not allowed: expected a finite number > 0"),
        ("run_name=42", "run_name=42 (int) is not allowed: expected a single folder name"),
        ("run_name=../../x", "run_name='../../x' (str) is not allowed"),
        ("run_name=/tmp/x", "run_name='/tmp/x' (str) is not allowed"),
        ("training.optimizer.name=sgd", "training.optimizer.name='sgd' (str) is not allowed: expected one of adam"),
        ("training.optimizer.lr=0", "training.optimizer.lr=0"),
        ("training.scheduler.name=step", "training.scheduler.name='step'"),
        ("training.ema_decay=1.5", "training.ema_decay=1.5"),
        ("training.scheduler.restart_steps=100", "training.scheduler.restart_steps=100 is not allowed with"),
        (
            "training.scheduler.warmup_fraction=0.05",
            "training.scheduler.warmup_fraction=0.05 is not allowed with training.scheduler.name='cosine': it is "
            "read by onecycle only",
        ),
        (
            "training.scheduler.name=onecycle training.scheduler.min_lr_factor=0.5",
            "min_lr_factor=0.5 is not allowed with training.scheduler.name='onecycle': it is read by cosine and "
            "cosine_restarts only",
        ),
        ("training.scheduler.plateau_patience=2", "training.scheduler.plateau_patience=2 is not allowed with"),
        ("training.scheduler.name=cosine_restarts training.scheduler.warmup_steps=5000", "the warm-up must end"),
        (
            "objective=test.auc evaluate=false",
            "config key objective='test.auc' is not allowed: it names a metric of an evaluated split "
            "('<split>.<metric>' with <split> one of ['test'], and evaluate=true without predict.files); it is "
            "returned to sweepers only: set objective=null for a run outside a sweep",
        ),
        ("data.class_names=[top,QCD]", "data.class_names=['top', 'QCD'] swaps the files' labels: label 0 is QCD"),
        (
            "training.ema_decay=1.0",
            "training.ema_decay=1.0 (float) is not allowed: expected a finite number > 0.0 and < 1.0",
        ),
        ("data.split_fractions=[0.9,0.2,0.1]", "data.split_fractions=[0.9, 0.2, 0.1] (list) is not allowed"),
        ("data.max_particles=0", "data.max_particles=0"),
        ("data.format=root", "data.format='root'"),
        ("data.generate.n=-1", "data.generate.n=-1"),
        (
            "data.generate.seed=9000",
            "data.generate.seed=9000 is not allowed: the Pythia generators take seeds in [0, 8999]",
        ),
        ("device=tpu", "device='tpu'"),
        ("num_threads=0", "num_threads=0"),
        ("evaluation.batchsize=0", "evaluation.batchsize=0"),
        ("seed=-1", "seed=-1"),
        ("warm_start_idx=-2", "warm_start_idx=-2"),
        ("data.class_names=[QCD,QCD]", "data.class_names=['QCD', 'QCD'] (list) is not allowed: expected a list of at"),
        ("data.class_names=[0,1]", "data.class_names=[0, 1] (list) is not allowed: expected a list of at least 2"),
        ("data.impact_parameters=true", "data.impact_parameters=true is not allowed: the impact parameters are read"),
        (
            "objective=test.AUC",
            "objective='test.AUC' is not allowed: 'AUC' is no metric of this experiment; its metrics",
        ),
        (
            "objective=test.acu",
            "'acu' is no metric of this experiment; its metrics are accuracy, auc, rej30, rej50, rej80",
        ),
        ("exp_name=..", "exp_name='..' (str) is not allowed: expected a folder name"),
        ("exp_name=.", "exp_name='.' (str) is not allowed"),
        ("seed=4294967296", "seed=4294967296 (int) is not allowed: expected an integer >= 0 and <= 4294967295"),
        ("data.split_seed=18446744073709551616", "data.split_seed=18446744073709551616"),
        ("mlflow.experiment_name=''", "mlflow.experiment_name='' (str) is not allowed: expected a non-empty name"),
        (
            "training.finetune.backbone_lr_factor=0",
            "training.finetune.backbone_lr_factor=0 is not allowed without training.finetune.from",
        ),
        ("training.finetune.head_lr=0.1", "training.finetune.head_lr=0.1 is not allowed without"),
        ("+training.batchsze=3", "unknown config key training.batchsze (misspelt?)"),
        ("+data.splitfractions=[1,0,0]", "unknown config key data.splitfractions (misspelt?)"),
    ],
)
def test_bad_values_are_refused_in_one_line(override, message):
    cfg = compose_config("toptagging", override.split(" "))
    with pytest.raises(ConfigError) as info:
        get_experiment("toptagging").check_config(cfg)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "model", "override", "message"),
    [
        ("toptagging", "gatr", "model.net.num_blocks=2.5", "model.net.num_blocks=2.5 (float) is not allowed: LGATr"),
        ("qgtagging", "lgn", "+model.net.chanels=[4]", "unknown config key model.net.chanels (misspelt?): LGN takes"),
        ("jetclass", "particlenet", "model.net.conv_params=[[16,64]]", "model.net.conv_params=[[16, 64]] (list)"),
        ("amplitudes", "mlp", "+model.net.in_channels=3", "the experiment sets MLP's in_channels itself"),
        ("ttbar", "transformer", "model.net.dropout=2.0", "model.net.dropout is not accepted by Transformer"),
        ("ttbar_assignment", "pelican", "+model.net.bogus=1", "not accepted by PELICAN: "),
        ("ptopreco", "pelican", "model.net.readout_channels=-1", "not accepted by PELICANRegressor"),
        ("ttbar", "transformer", "sampling.solver.method=bogus", "sampling.solver.method='bogus' (str) is not allowed"),
        ("toptagging", "gatr", "+model.wrapper.beam=zaxis", "(LGATrTaggingWrapper): unknown beam spurion 'zaxis'"),
        ("toptagging", "lorentznet", "+model.wrapper.beams=true", "unknown config key model.wrapper.beams (misspelt?)"),
    ],
)
def test_bad_model_settings_are_refused_by_the_config_check(name, model, override, message):
    cfg = compose_config(name, [f"model={model}", override])
    with pytest.raises(ConfigError) as info:
        get_experiment(name).check_config(cfg)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("name", "objective"),
    [
        ("jetclass", "val.rej99.5_Tbl"),
        ("jetclass", "test.auc_Hbb"),
        ("amplitudes", "val.zgg.rel_err_q90"),
        ("ttbar", "val.cuts_truth.pt_min"),
        ("ttbar", "val.nll"),
        ("ttbar_assignment", "val.exact.event_purity_full"),
        ("ptopreco", "val.baseline_mass_resolution"),
    ],
)
def test_objectives_naming_real_metrics_pass(name, objective):
    cfg = compose_config(name, [f"objective={objective}", "evaluation.splits=[val,test]"])
    get_experiment(name).check_config(cfg)


def test_jetclass_class_names_must_follow_the_label_branches():
    swapped = "data.class_names=[Hbb,QCD,Hcc,Hgg,H4q,Hqql,Zqq,Wqq,Tbqq,Tbl]"
    for overrides in ([swapped], [swapped, "data.format=auto", "data.path=/data/*.root"]):
        cfg = compose_config("jetclass", overrides)
        message = r"data\.class_names=\['Hbb', 'QCD', .* expected \['QCD', 'Hbb', .*the first 10"
        with pytest.raises(ConfigError, match=message):
            get_experiment("jetclass").check_config(cfg)
    # files of the first classes only name just those; the names of other formats are the user's own
    get_experiment("jetclass").check_config(compose_config("jetclass", ["data.class_names=[QCD,Hbb,Hcc]"]))
    get_experiment("jetclass").check_config(compose_config("jetclass", [swapped, "data.format=lgn_h5"]))


def test_a_batch_size_the_processes_do_not_divide_is_refused_with_the_config(monkeypatch):
    """Under torchrun (WORLD_SIZE set) the global batch is split evenly over the processes; the
    trainer raised a traceback only after the data were read."""
    monkeypatch.setenv("WORLD_SIZE", "2")
    cfg = compose_config("toptagging", ["training.batchsize=63"])
    with pytest.raises(
        ConfigError, match=r"training.batchsize=63 is not allowed: .* 2 processes \(use a multiple of 2\)"
    ):
        get_experiment("toptagging").check_config(cfg)
    get_experiment("toptagging").check_config(compose_config("toptagging", ["training.batchsize=64"]))


def test_metrics_an_experiment_does_not_declare_fail_under_the_test_suite(monkeypatch):
    class Declared:
        cfg = None

        @classmethod
        def metric_patterns(cls, cfg):
            return ("auc", "*.mse")

    BaseExperiment._check_metric_names(Declared(), {"auc": 0.9, "zg.mse": 0.1})
    with pytest.raises(RuntimeError, match=r"does not declare the metrics \['rej30'\]"):
        BaseExperiment._check_metric_names(Declared(), {"auc": 0.9, "rej30": 10.0})
    monkeypatch.delenv("LORENTZNETS_STRICT_METRICS")
    BaseExperiment._check_metric_names(Declared(), {"rej30": 10.0})  # a warning outside the tests


@pytest.mark.parametrize("mode", ["resume=true", "train=false"])
def test_keys_a_new_training_would_ignore_pass_for_runs_made_before_the_check(mode):
    # a run started with them (before they were refused) must still resume and reload
    overrides = ["training.scheduler.warmup_fraction=0.05", "training.finetune.head_lr=0.1", mode]
    if mode == "train=false":
        overrides.append("warm_start_idx=0")
    get_experiment("toptagging").check_config(compose_config("toptagging", overrides))


def test_class_names_with_glob_characters_match_their_own_metric_patterns():
    import fnmatch

    from experiments.tagging.metrics import tagging_metric_names

    patterns = tagging_metric_names(["QCD", "W[qq]", "Z*"])
    for name in ("auc_W[qq]", "rej50_W[qq]", "auc_Z*"):
        assert any(fnmatch.fnmatchcase(name, p) for p in patterns), name
    assert not any(fnmatch.fnmatchcase("auc_Zx", p) for p in patterns)


@pytest.mark.parametrize("folder", ["config", "config_paper"])
def test_every_task_config_allows_a_run_that_evaluates_no_split(folder):
    """The documented export command (``evaluate=false``) needs no ``objective=null`` override:
    no task config names an objective, which only sweeps read (ptopreco's did, and was refused)."""
    for task in sorted((REPO / folder).glob("*.yaml")):
        cfg = compose_config(task.stem, ["evaluate=false"], folder)
        if "experiment" in cfg:
            assert cfg.objective is None, task
            get_experiment(cfg.experiment).check_config(cfg)
