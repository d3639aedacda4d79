"""The synthetic top-momentum jets and ttbar events carry the physics the tests rely on."""

import h5py
import numpy as np

from lorentznets.testing.synthetic_files import make_ttbar_events, write_top_jets


def _mass(p: np.ndarray) -> np.ndarray:
    return np.sqrt(p[..., 0] ** 2 - (p[..., 1:] ** 2).sum(-1))


def test_top_truth_is_the_constituent_sum_plus_up_to_15_percent(tmp_path):
    with h5py.File(write_top_jets(tmp_path / "tops.h5", num_jets=40, max_particles=12)) as file:
        pmu, truth, mask = file["Pmu"][()], file["truth_Pmu"][()], file["label"][()]
        signal = file["is_signal"][()] == 1
        np.testing.assert_array_equal(mask.sum(1), file["Nobj"][()])
    assert not pmu[~mask].any()
    assert (pmu[mask][:, 0] >= np.linalg.norm(pmu[mask][:, 1:], axis=-1)).all()
    assert not truth[~signal].any()
    ratio = truth[signal] / pmu[signal].sum(axis=1)
    np.testing.assert_allclose(ratio, ratio[:, :1].repeat(4, axis=1), rtol=1e-5)
    assert (ratio > 1 - 1e-6).all() and (ratio < 1.15 + 1e-6).all() and ratio.std() > 0.01


def test_ttbar_events_are_top_decays_inside_the_acceptance():
    events = make_ttbar_events(200, n_extra_jets=1).reshape(200, 7, 4)
    pt = np.hypot(events[..., 1], events[..., 2])
    assert (pt > 25).all() and (np.abs(np.arcsinh(events[..., 3] / pt)) < 2.5).all()
    for b, q1, q2 in ((0, 1, 2), (3, 4, 5)):
        w = events[:, q1] + events[:, q2]
        assert np.abs(_mass(w) - 80.4).max() < 10
        assert np.abs(_mass(w + events[:, b]) - 173).max() < 7.5 + 1e-6
    np.testing.assert_array_equal(make_ttbar_events(20, seed=1), make_ttbar_events(20, seed=1))
