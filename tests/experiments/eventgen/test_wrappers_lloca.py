"""LLoCa-Transformer velocity: shape, gradients, invariance under rotations about the beam (float64)
with boosts along the beam as negative control, and a tiny training run through the real config."""

import math

import numpy as np
import pytest
import torch
from experiment_test_utils import compose_config

from experiments.common.config_schema import ConfigError
from experiments.registry import get_experiment, wrappers_for
from lorentznets.flows import PERIODIC_COMPONENTS, GaussianUniformBase, JetCoordinates, flow_matching_loss

from .helpers import make_ttbar_events

NET = {"attn_reps": "4x0n+1x1n", "num_heads": 2, "num_blocks": 1}


def _model():
    torch.manual_seed(0)
    p = torch.from_numpy(make_ttbar_events(200, 1)).reshape(200, 7, 4)
    coordinates = JetCoordinates(7, pt_min=20.0).fit(p)
    return wrappers_for("eventgen")["lloca_transformer"](net=NET, coordinates=coordinates, time_channels=8), p


def test_velocity_shape_and_gradients():
    model, p = _model()
    x = model.coordinates.fourmomenta_to_x(p[:16]).float()
    v = model(torch.rand(16), x)
    assert v.shape == (16, 7, 4)
    assert torch.isfinite(v).all()
    flow_matching_loss(model, x, GaussianUniformBase(PERIODIC_COMPONENTS, (7, 4))).backward()
    grads = [q.grad for q in model.parameters()]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert all(g.abs().sum() > 0 for g in grads)


def test_invariant_under_rotations_about_the_beam_not_under_boosts_along_it():
    model, p = _model()
    model = model.double()
    x = model.coordinates.fourmomenta_to_x(p[:8])
    t = torch.rand(8, dtype=torch.float64)
    v = model(t, x)
    for angle in (0.3, -2.0, math.pi / 2):
        rotated = x.clone()
        rotated[..., 2] = torch.remainder(rotated[..., 2] + angle + math.pi, 2 * math.pi) - math.pi
        torch.testing.assert_close(model(t, rotated), v, rtol=1e-9, atol=1e-9 * v.abs().max().item())
    rapidity = 0.5
    energy, px, py, pz = p[:8].unbind(-1)
    boosted = torch.stack(
        [
            energy * math.cosh(rapidity) + pz * math.sinh(rapidity),
            px,
            py,
            pz * math.cosh(rapidity) + energy * math.sinh(rapidity),
        ],
        dim=-1,
    )
    assert not torch.allclose(model(t, model.coordinates.fourmomenta_to_x(boosted)), v, atol=1e-6)


@pytest.mark.slow
def test_trains_samples_and_evaluates(tmp_path):
    (tmp_path / "data").mkdir()
    np.save(tmp_path / "data" / "ttbar_0j.npy", make_ttbar_events(600))
    overrides = [
        "model=lloca_transformer",
        f"data.path={tmp_path / 'data'}",
        f"base_dir={tmp_path}",
        "data.generate=null",
        "progress=false",
        "num_threads=1",
        "model.net.num_heads=2",
        "model.net.num_blocks=1",
        "training.iterations=4",
        "training.validate_every=2",
        "training.batchsize=32",
        "sampling.n_samples=null",
        "sampling.batchsize=60",
        "sampling.solver.steps=2",
        "likelihood.n_events=8",
        "likelihood.solver.steps=2",
        "classifier.max_iter=10",
        "plot=false",
    ]
    cfg = compose_config("ttbar", overrides)
    metrics = get_experiment(cfg.experiment)(cfg).run()
    assert np.isfinite(metrics["test.loss"]) and np.isfinite(metrics["test.nll"])
    assert metrics["test.cuts.frac_nonfinite"] == 0.0
    run_dir = next((tmp_path / "runs" / "ttbar").iterdir())
    assert np.load(run_dir / "samples" / "ttbar_0j.npy").shape == (60, 24)


@pytest.mark.parametrize("folder", ["config", "config_paper"])
def test_frame_settings_flow_from_config_with_beam_and_time_kept(folder):
    frames = "model.wrapper.frames"
    overrides = [
        "model=lloca_transformer",
        f"{frames}.method=gram_schmidt",
        f"{frames}.eps_separation=0.05",
        f"{frames}.gamma_max=30.0",
        f"{frames}.vector_net.hidden_channels=8",
    ]
    cfg = compose_config("ttbar", overrides, folder)
    experiment_class = get_experiment(cfg.experiment)
    experiment_class.check_config(cfg)
    experiment = experiment_class.__new__(experiment_class)  # init_model needs only cfg and coordinates
    experiment.cfg = cfg
    experiment.coordinates = _model()[0].coordinates
    model = experiment.init_model()
    assert (model.frames.method, model.frames.eps_separation, model.frames.gamma_max) == ("gram_schmidt", 0.05, 30.0)
    assert model.frames.vector_net.mlp[0].out_features == 8
    torch.testing.assert_close(model.frames.vector_net.references, torch.eye(4)[[3, 0]])


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("model.wrapper.frames.kind=random", "model.wrapper.frames.kind"),
        ("model.wrapper.frames.gamma_max=1.0", "model.wrapper.frames.gamma_max"),
        ("model.wrapper.frames.eps_mass=-0.1", "model.wrapper.frames.eps_mass"),
        ("model.wrapper.frames.vector_net.references=[z]", "model.wrapper.frames.vector_net.references"),
        ("+model.wrapper.frames.eps_reg=0.1", "model.wrapper.frames.eps_reg"),
    ],
)
def test_schema_rejects_bad_frame_settings(override, key):
    cfg = compose_config("ttbar", ["model=lloca_transformer", override])
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        get_experiment(cfg.experiment).check_config(cfg)


def test_models_without_wrapper_settings_still_validate():
    cfg = compose_config("ttbar", ["model=gatr"])
    get_experiment(cfg.experiment).check_config(cfg)


def test_configured_references_are_added_to_beam_and_time():
    coordinates = _model()[0].coordinates
    velocity = wrappers_for("eventgen")["lloca_transformer"]
    model = velocity(net=NET, coordinates=coordinates, time_channels=8, frames={"vector_net": {"references": ["time"]}})
    torch.testing.assert_close(model.frames.vector_net.references, torch.eye(4)[[0, 3]])
    with pytest.raises(ValueError, match="learned frames only"):
        velocity(net=NET, coordinates=coordinates, time_channels=8, frames={"kind": "identity"})
