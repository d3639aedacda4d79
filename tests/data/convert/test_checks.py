import numpy as np
import pytest

from lorentznets.data.convert import (
    NonFiniteTally,
    check_binary_labels,
    require_file,
    require_keys,
    require_shape,
)


def test_non_finite_tally_counts_across_chunks():
    tally = NonFiniteTally("f.h5", "Pmu")
    clean = np.ones((4, 2, 4))
    tally.update(clean, 0)
    tally.check()
    bad = clean.copy()
    bad[1, 0, 0] = np.nan
    bad[3, 1, 2] = -np.inf
    tally.update(bad, 4)
    tally.update(bad, 8)
    with pytest.raises(ValueError, match=r"f\.h5: key 'Pmu' has NaN/inf values in 4 jet\(s\); first bad jet index 5"):
        tally.check()


def test_require_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing\.npz: no such file"):
        require_file(tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError, match="is not a regular file"):
        require_file(tmp_path)
    (tmp_path / "a").write_text("")
    assert require_file(str(tmp_path / "a")) == tmp_path / "a"


def test_require_keys_and_shape():
    with pytest.raises(KeyError, match=r"f: missing key 'y'; keys present: \['X', 'z'\]"):
        require_keys("f", ["z", "X"], ["X", "y"])
    require_shape("f", "X", (3, 5, 4), (None, None, 4))
    with pytest.raises(ValueError, match=r"f: key 'X' has shape \(3, 5\), expected \(3, \*, 4\)"):
        require_shape("f", "X", (3, 5), (3, None, 4))


def test_check_binary_labels():
    np.testing.assert_array_equal(check_binary_labels(np.array([0.0, 1.0]), "s", 0), [0, 1])
    with pytest.raises(ValueError, match=r"f: key 'y' must be 0 or 1; jet 12 has 0.5"):
        check_binary_labels(np.array([0.0, 1.0, 0.5]), "f: key 'y'", 10)
