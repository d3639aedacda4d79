import numpy as np
import pytest

from experiments.eventgen.dataset import event_file, jet_names, load_ttbar_events

from .helpers import make_ttbar_events


def test_load_reshapes_into_jets(tmp_path):
    events = make_ttbar_events(50, n_extra_jets=2)
    path = event_file(tmp_path, 2)
    assert path.name == "ttbar_2j.npy"
    np.save(path, events)
    loaded = load_ttbar_events(path, 2)
    assert loaded.shape == (50, 8, 4)
    assert loaded.dtype == np.float64
    assert np.array_equal(loaded[3, 1], events[3, 4:8])
    assert jet_names(2) == ["b1", "q1", "q2", "b2", "q3", "q4", "j1", "j2"]


def test_bad_files_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="ttbar_0j.npy does not exist"):
        load_ttbar_events(tmp_path / "ttbar_0j.npy", 0)
    good = make_ttbar_events(10)
    np.save(tmp_path / "wrong.npy", good)
    with pytest.raises(ValueError, match=r"wrong.npy: expected shape \(N > 0, 28\).*got \(10, 24\)"):
        load_ttbar_events(tmp_path / "wrong.npy", 1)
    nan = good.copy()
    nan[4, 7] = np.nan
    np.save(tmp_path / "nan.npy", nan)
    with pytest.raises(ValueError, match=r"nan.npy: 1 events contain NaN or inf, first rows \[4\]"):
        load_ttbar_events(tmp_path / "nan.npy", 0)
    # (px, py, pz, E) instead of (E, px, py, pz): spacelike 4-momenta.
    np.save(tmp_path / "order.npy", np.roll(good.reshape(10, 6, 4), -1, axis=-1).reshape(10, 24))
    with pytest.raises(ValueError, match="order.npy: .* m\\^2 < 0"):
        load_ttbar_events(tmp_path / "order.npy", 0)


def test_empty_and_truncated_files_name_the_file(tmp_path):
    (tmp_path / "empty.npy").write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npy: not a readable \.npy file \(0 bytes\)"):
        load_ttbar_events(tmp_path / "empty.npy", 0)
    np.save(tmp_path / "whole.npy", make_ttbar_events(40))
    data = (tmp_path / "whole.npy").read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"cut\.npy: truncated \.npy file"):
        load_ttbar_events(tmp_path / "cut.npy", 0)
