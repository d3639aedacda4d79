"""Fine-tuning a tagger end to end: a binary top tagger's backbone under a three-class head."""

from __future__ import annotations

import pytest
import torch
from experiment_test_utils import compose_config
from hydra import compose, initialize_config_dir
from tagging_test_utils import THREE_CLASS_NAMES, tagging_overrides, write_three_class_jets

from experiments.common.checkpoint import load_checkpoint
from experiments.common.config_schema import ConfigError
from experiments.registry import get_experiment

THREE_CLASSES = {
    "data.format": "auto",
    "data.max_jets": "null",
    "data.use_scalars": False,
    "data.class_names": THREE_CLASS_NAMES,
}


def test_finetune_keys_are_checked_before_any_work(tmp_path, jets_file):
    experiment = get_experiment("toptagging")
    missing = compose_config(
        "toptagging", tagging_overrides(tmp_path, jets_file, **{"training.finetune.from": str(tmp_path / "nowhere")})
    )
    with pytest.raises(ConfigError, match="training.finetune.from=.*nowhere.*no such run folder"):
        experiment.check_config(missing)
    no_training = compose_config(
        "toptagging",
        tagging_overrides(tmp_path, jets_file, train=False, **{"training.finetune.from": str(jets_file)}),
    )
    with pytest.raises(ConfigError, match="training.finetune.from starts a new training: it needs train=true"):
        experiment.check_config(no_training)
    # a fine-tuned run's saved config keeps finetune.from; loading its model k does not read the source
    reload = compose_config(
        "toptagging",
        tagging_overrides(
            tmp_path, jets_file, train=False, warm_start_idx=0, **{"training.finetune.from": str(tmp_path / "nowhere")}
        ),
    )
    experiment.check_config(reload)


@pytest.mark.slow  # two short trainings, 5-14 s
def test_a_fixed_backbone_under_a_new_three_class_head(tmp_path, jets_file):
    source = compose_config("toptagging", tagging_overrides(tmp_path, jets_file, run_name="source"))
    get_experiment("toptagging")(source).run()
    source_dir = tmp_path / "runs" / "toptagging" / "source"
    finetune = {
        **THREE_CLASSES,
        "run_name": "tuned",
        "training.finetune.from": str(source_dir),
        "training.finetune.backbone_lr_factor": 0.0,
        "training.finetune.head_lr": 1e-2,
    }
    three = write_three_class_jets(tmp_path / "three.root")
    cfg = compose_config("jetclass", tagging_overrides(tmp_path, three, **finetune))
    get_experiment("jetclass").check_config(cfg)
    experiment = get_experiment("jetclass")(cfg)
    metrics = experiment.run()
    assert "test.auc_macro" in metrics
    assert [g["lr"] for g in experiment.trainer.optimizer.param_groups][1] == 0.0

    trained = load_checkpoint(source_dir / "models" / "model_run0.pt")["model"]
    tuned = load_checkpoint(tmp_path / "runs" / "jetclass" / "tuned" / "models" / "model_run0.pt")["model"]
    head = {key for key in tuned if key.startswith("net.linear_out.")}
    assert tuned["net.linear_out.weight"].shape[0] == 3 and trained["net.linear_out.weight"].shape[0] == 1
    for key in set(tuned) - head:
        assert torch.equal(tuned[key], trained[key]), key

    # the tuned run folder evaluates its model like any run's (its config keeps finetune.from)
    tuned_dir = tmp_path / "runs" / "jetclass" / "tuned"
    with initialize_config_dir(str(tuned_dir), version_base=None):
        reload = compose("config", overrides=["train=false", "warm_start_idx=0"])
    assert reload.training.finetune["from"] == str(source_dir)
    get_experiment("jetclass").check_config(reload)
    assert get_experiment("jetclass")(reload).run()["test.auc_macro"] == pytest.approx(metrics["test.auc_macro"])


def test_a_fixed_backbone_keeps_its_batch_norm_statistics(tmp_path, jets_file):
    """backbone_lr_factor=0 fixes the backbone: its BatchNorm running statistics too."""
    small = {"model.net.hidden_channels": 8, "model.net.num_blocks": 1, "+model.net.num_heads": None}
    base = {k: v for k, v in small.items() if v is not None}

    def overrides(**extra):
        values = tagging_overrides(tmp_path, jets_file, **base, **extra, **{"training.iterations": 4})
        return ["model=lorentznet", *(o for o in values if not o.startswith("model.net.num_heads"))]

    get_experiment("toptagging")(compose_config("toptagging", overrides(run_name="bn_source"))).run()
    source = tmp_path / "runs" / "toptagging" / "bn_source"
    tuned = overrides(
        run_name="bn_tuned",
        evaluate=False,
        **{"training.finetune.from": str(source), "training.finetune.backbone_lr_factor": 0.0},
    )
    experiment = get_experiment("toptagging")(compose_config("toptagging", tuned))
    experiment.run()
    before = load_checkpoint(source / "models" / "model_run0.pt")["model"]
    after = experiment.raw_model.state_dict()
    statistics = [key for key in before if key.endswith(("running_mean", "running_var"))]
    assert statistics
    for key in statistics:
        assert torch.equal(after[key], before[key]), key
    # The fixed backbone gets no gradients: none count in clip_grad_norm's norm or training.grad_norm.
    heads = tuple(experiment.raw_model.head_prefixes)
    grads = {name: p.grad for name, p in experiment.raw_model.named_parameters()}
    assert all(grad is None for name, grad in grads.items() if not name.startswith(heads))
    assert any(grad is not None for name, grad in grads.items() if name.startswith(heads))
