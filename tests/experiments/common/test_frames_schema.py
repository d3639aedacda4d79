"""``model.wrapper.frames`` of the LLoCa models is validated before any work, in every experiment
that has them: bad keys, kinds and values fail in one line naming the key; the shipped configs, and
the kinds each wrapper accepts, pass and build."""

from __future__ import annotations

import pytest
from experiment_test_utils import REPO, compose_config, run_cli
from omegaconf import OmegaConf

from experiments.common.config_schema import ConfigError
from experiments.registry import get_experiment, wrappers_for
from lorentznets.frames import LearnedFrames, RandomGlobalFrames

FRAMES = "model.wrapper.frames"
LLOCA_MODELS = {
    "toptagging": ["lloca_transformer", "lloca_part", "lloca_particlenet"],
    "amplitudes": ["lloca_transformer"],
    "ttbar": ["lloca_transformer"],
}


def _random(settings: str) -> list[str]:
    """Overrides replacing the frames section by random frames with ``settings``."""
    return [f"~{FRAMES}", f"+{FRAMES}={{kind:random,{settings}}}"]


def _refusal(experiment: str, overrides: list[str]) -> str:
    cfg = compose_config(experiment, overrides)
    with pytest.raises(ConfigError) as info:
        get_experiment(experiment).check_config(cfg)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("folder", ["config", "config_paper"])
@pytest.mark.parametrize(("experiment", "model"), [(e, m) for e, models in LLOCA_MODELS.items() for m in models])
def test_shipped_lloca_configs_validate(folder, experiment, model):
    if not (REPO / folder / f"{experiment}.yaml").is_file():
        pytest.skip(f"no {folder}/{experiment}.yaml")
    cfg = compose_config(experiment, [f"model={model}"], folder)
    get_experiment(experiment).check_config(cfg)
    assert cfg.model.wrapper.frames.kind == "learned"


@pytest.mark.parametrize("experiment", ["toptagging", "amplitudes"])
@pytest.mark.parametrize(
    ("override", "message"),
    [
        (f"+{FRAMES}.eps_mas=0.1", f"unknown config key {FRAMES}.eps_mas (misspelt?); keys of {FRAMES}: "),
        (f"{FRAMES}.kind=lerned", f"config key {FRAMES}.kind='lerned' (str) is not allowed: expected one of learned"),
        (f"{FRAMES}.eps_mass=-0.1", f"config key {FRAMES}.eps_mass=-0.1 (float) is not allowed: expected a finite"),
        (f"{FRAMES}.eps_separation=-1", f"config key {FRAMES}.eps_separation=-1 (int) is not allowed"),
        (f"{FRAMES}.gamma_max=1.0", f"config key {FRAMES}.gamma_max=1.0 (float) is not allowed"),
        (f"{FRAMES}.method=qr", f"config key {FRAMES}.method='qr' (str) is not allowed: expected one of polar"),
        (f"{FRAMES}.vector_net.num_layers=0", f"config key {FRAMES}.vector_net.num_layers=0 (int) is not allowed"),
        (f"{FRAMES}.vector_net.references=[z]", f"config key {FRAMES}.vector_net.references=['z'] (list)"),
        (f"+{FRAMES}.vector_net.scale=null", f"config key {FRAMES}.vector_net.scale=null is not allowed"),
        (f"+{FRAMES}.vector_net.scale=0", f"config key {FRAMES}.vector_net.scale=0 (int) is not allowed"),
        (f"~{FRAMES}.kind", f"config key {FRAMES}.kind is missing"),
        (f"~{FRAMES}.eps_mass", f"config key {FRAMES}.eps_mass is missing"),
        ("+model.wrapper.frame={kind:learned}", "unknown config key model.wrapper.frame (misspelt?)"),
    ],
)
def test_bad_lloca_frame_settings_are_refused_naming_the_key(experiment, override, message):
    assert message in _refusal(experiment, ["model=lloca_transformer", override])


def test_amplitudes_take_learned_frames_only():
    message = _refusal("amplitudes", ["model=lloca_transformer", f"{FRAMES}.kind=identity"])
    assert message == f"config key {FRAMES}.kind='identity' (str) is not allowed: expected one of learned"


def _tagger(cfg):
    wrapper = wrappers_for("tagging")[cfg.model.name]
    net = OmegaConf.to_container(cfg.model.net, resolve=True)
    options = OmegaConf.to_container(cfg.model.wrapper, resolve=True)
    return wrapper(net=net, out_channels=2, num_scalars=0, **options)


@pytest.mark.parametrize("model", LLOCA_MODELS["toptagging"])
def test_tagging_frame_kinds_pass_and_build(model):
    for overrides, frames in [
        ([f"{FRAMES}.gamma_max=20.0"], LearnedFrames),
        ([f"{FRAMES}.kind=identity"], type(None)),  # keeps the (unused) learned settings
        (_random("transform:z_boost_rotation,std_rapidity:0.2,max_std:2.0"), RandomGlobalFrames),
    ]:
        cfg = compose_config("toptagging", [f"model={model}", *overrides])
        get_experiment("toptagging").check_config(cfg)
        assert isinstance(_tagger(cfg).frames, frames)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ([f"{FRAMES}.kind=random"], f"config key {FRAMES}.eps_mass is not taken by random frames: their keys are"),
        (
            _random("transform:boost,std_rapidity:0.1,max_std:3.0"),
            f"config key {FRAMES}.transform='boost' (str) is not allowed: expected one of lorentz",
        ),
        (
            _random("transform:lorentz,std_rapidity:-0.1,max_std:3.0"),
            f"{FRAMES}.std_rapidity=-0.1",
        ),
        (
            _random("transform:lorentz"),
            f"config key {FRAMES}.std_rapidity is missing",
        ),
        ([f"{FRAMES}.kind=identity", f"{FRAMES}.eps_mass=-1"], f"config key {FRAMES}.eps_mass=-1 (int)"),
    ],
)
def test_tagging_random_and_identity_frames_are_checked(overrides, message):
    assert message in _refusal("toptagging", ["model=lloca_particlenet", *overrides])


def test_other_models_keep_free_wrapper_sections():
    # LGN's wrapper settings are its constructor's business, as before
    cfg = compose_config("toptagging", ["model=lgn"])
    assert "frames" not in cfg.model.wrapper
    get_experiment("toptagging").check_config(cfg)


def test_run_py_stops_with_code_2_before_loading_data(tmp_path):
    result = run_cli(
        ["model=lloca_transformer", f"+{FRAMES}.eps_mas=0.1", f"base_dir={tmp_path}", "data.path=/nonexistent.h5"]
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"unknown config key {FRAMES}.eps_mas (misspelt?)" in result.stderr + result.stdout
    assert not (tmp_path / "runs").exists()
