"""The generated sample depends only on the model, ``seed``, the split and the sampling solver:
each sampled event's base point is keyed by (seed, split, index in the sample)."""

import numpy as np
import pytest
import torch
from omegaconf import open_dict

from .test_experiment import trained_mlp


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A briefly trained MLP velocity with 60 validation and 60 test events."""
    return trained_mlp(tmp_path_factory.mktemp("eventgen_sampling"), 600)


def _evaluated_sample(experiment, split: str, **settings) -> np.ndarray:
    """The sample ``evaluate(split)`` writes, with config ``settings`` ("likelihood.trace": ...) set."""
    with open_dict(experiment.cfg):
        for key, value in settings.items():
            section, name = key.split(".")
            experiment.cfg[section][name] = value
    experiment.evaluate(split)
    name = "ttbar_1j.npy" if split == "test" else f"ttbar_1j_{split}.npy"
    return np.load(experiment.run_dir.path / "samples" / name)


def test_the_sample_is_the_same_for_any_batch_size(trained):
    samples = []
    for batch_size in (7, 25, 60):
        with open_dict(trained.cfg):
            trained.cfg.sampling.batchsize = batch_size
        samples.append(trained._sample(60, "test"))
    # a generator drawn batch by batch gave every batch size its own sample
    torch.testing.assert_close(samples[0], samples[1], rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(samples[0], samples[2], rtol=1e-5, atol=1e-5)


def test_the_sample_does_not_follow_the_likelihood_settings(trained):
    reference = _evaluated_sample(trained, "test", **{"likelihood.n_events": 8, "likelihood.trace": "hutchinson"})
    # the Hutchinson probes drew from the sampler's generator: each setting moved the sample
    for settings in ({"likelihood.n_events": 9}, {"likelihood.n_events": 8, "likelihood.trace": "exact"}):
        assert np.array_equal(_evaluated_sample(trained, "test", **settings), reference), settings


def test_val_and_test_get_their_own_samples(trained):
    with open_dict(trained.cfg):
        trained.cfg.likelihood.trace = "hutchinson"
    val, test = _evaluated_sample(trained, "val"), _evaluated_sample(trained, "test")
    assert val.shape == test.shape == (60, 28)
    # they were byte-identical: the same seed, the same draws before
    assert not np.isclose(val, test).all(axis=1).any()


def test_the_hutchinson_likelihood_does_not_follow_its_batch_size(trained):
    """The probes are keyed by (seed, split, event): drawn batch by batch, each event's estimate
    (and the reported NLL) moved with likelihood.batchsize."""
    x = trained.datasets["test"].tensors[0][:12]
    nll = []
    for batch_size in (5, 12):
        with open_dict(trained.cfg):
            trained.cfg.likelihood.trace = "hutchinson"
            trained.cfg.likelihood.batchsize = batch_size
        nll.append(trained._likelihood_metrics(x, "test")["nll"])
    assert nll[0] == pytest.approx(nll[1], rel=1e-5, abs=1e-5)
