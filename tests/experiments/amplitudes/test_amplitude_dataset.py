"""Amplitude reader, tokens, splits, the padded dataset and the metrics."""

import numpy as np
import pytest
import torch

from experiments.amplitudes.dataset import (
    TOKEN_NAMES,
    AmplitudeDataset,
    ProcessData,
    load_amplitude_file,
    particle_tokens,
)
from experiments.amplitudes.metrics import amplitude_metrics, relative_errors


def _write(path, rows, n_particles=4):
    rng = np.random.default_rng(0)
    data = rng.normal(size=(rows, 4 * n_particles + 1))
    momenta = data[:, :-1].reshape(rows, n_particles, 4)  # a view: physical (E, p), mass 1 GeV
    momenta[..., 0] = np.sqrt((momenta[..., 1:] ** 2).sum(-1) + 1.0)
    data[:, -1] = rng.uniform(0.1, 2.0, size=rows)
    np.save(path, data)
    return data


def test_reader_returns_momenta_and_amplitudes(tmp_path):
    data = _write(tmp_path / "zg.npy", 10)
    momenta, amplitudes = load_amplitude_file(tmp_path / "zg.npy", 4, max_events=7)
    assert momenta.shape == (7, 4, 4)
    np.testing.assert_array_equal(momenta[3, 2], data[3, 8:12])
    np.testing.assert_array_equal(amplitudes, data[:7, -1])


def test_reader_errors_name_file_and_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.npy does not exist"):
        load_amplitude_file(tmp_path / "nothere.npy", 4)
    _write(tmp_path / "zg.npy", 5)
    with pytest.raises(ValueError, match=r"zg.npy: expected shape \(N, 21\).*got \(5, 17\)"):
        load_amplitude_file(tmp_path / "zg.npy", 5)
    data = _write(tmp_path / "nan.npy", 5)
    data[3, 2] = np.nan
    np.save(tmp_path / "nan.npy", data)
    with pytest.raises(ValueError, match="nan.npy: 1 events with NaN/inf entries, first at row 3"):
        load_amplitude_file(tmp_path / "nan.npy", 4)
    data[3, 2] = 1.0
    data[1, -1] = -2.0
    np.save(tmp_path / "neg.npy", data)
    with pytest.raises(ValueError, match="neg.npy: squared amplitudes must be positive; row 1"):
        load_amplitude_file(tmp_path / "neg.npy", 4)
    data[1, -1] = 1.0
    data[2, 4] = -data[2, 4]  # the second particle's energy
    np.save(tmp_path / "energy.npy", data)
    with pytest.raises(ValueError, match=r"energy\.npy: .* negative energy in 1 .* first at jet 2, particle 1"):
        load_amplitude_file(tmp_path / "energy.npy", 4)
    np.save(tmp_path / "complex.npy", data.astype(complex))
    with pytest.raises(ValueError, match=r"complex\.npy: expected real numbers, got dtype complex128"):
        load_amplitude_file(tmp_path / "complex.npy", 4)
    (tmp_path / "junk.npy").write_text("not an array")
    with pytest.raises(ValueError, match="junk.npy: not a readable"):
        load_amplitude_file(tmp_path / "junk.npy", 4)


def test_particle_tokens_and_splits():
    tokens = particle_tokens(("q", "qbar", "Z", "g", "g"))
    assert tokens.shape == (5, len(TOKEN_NAMES))
    np.testing.assert_array_equal(tokens[:, -1], [1, 1, 0, 0, 0])
    np.testing.assert_array_equal(tokens[3], tokens[4])
    assert tokens[2, TOKEN_NAMES.index("Z")] == 1
    with pytest.raises(ValueError, match="unknown particle 'W'"):
        particle_tokens(("W",))


def test_dataset_pads_and_standardises():
    rng = np.random.default_rng(0)
    a = ProcessData("zg", ("q", "qbar", "Z", "g"), rng.normal(size=(6, 4, 4)), rng.uniform(1, 2, 6))
    b = ProcessData("zgg", ("q", "qbar", "Z", "g", "g"), rng.normal(size=(3, 5, 4)), rng.uniform(1, 2, 3))
    mean = {"zg": 0.5, "zgg": 0.1}
    std = {"zg": 2.0, "zgg": 0.5}
    dataset = AmplitudeDataset([a, b], mean, std, n_max=5, dtype=torch.float64)
    assert len(dataset) == 9
    item = dataset[2]
    assert item["momenta"].shape == (5, 4) and not item["mask"][4] and item["mask"][:4].all()
    assert torch.all(item["momenta"][4] == 0) and torch.all(item["tokens"][4] == 0)
    np.testing.assert_allclose(item["target"].item(), (np.log(a.amplitudes[2]) - 0.5) / 2.0)
    assert dataset[7]["process"].item() == 1 and dataset[7]["mask"].all()


def test_metrics_known_values():
    target = np.zeros(4)
    prediction = np.log1p(np.array([0.0005, 0.005, 0.05, 0.5])) / 2.0  # log_std = 2
    errors = relative_errors(prediction, target, log_mean=3.0, log_std=2.0)
    np.testing.assert_allclose(errors, [0.0005, 0.005, 0.05, 0.5], rtol=1e-12)
    metrics = amplitude_metrics(prediction, target, 3.0, 2.0)
    assert metrics["frac_rel_err_below_0.1pct"] == 0.25
    assert metrics["frac_rel_err_below_1pct"] == 0.5
    assert metrics["frac_rel_err_below_10pct"] == 0.75
    np.testing.assert_allclose(metrics["mse"], np.mean(prediction**2))
    np.testing.assert_allclose(metrics["rel_err_q50"], np.quantile(errors, 0.5))
    with pytest.raises(ValueError, match="non-empty"):
        amplitude_metrics(np.zeros(0), np.zeros(0), 0.0, 1.0)
