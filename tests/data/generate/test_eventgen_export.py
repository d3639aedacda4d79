import numpy as np
import pytest

from lorentznets.data.generate.eventgen_export import export_event_generation, ordered_jets


def _source(pt_rows):
    pt = np.array(pt_rows, dtype=np.float32)
    zeros = np.zeros_like(pt)
    return {"MASK": pt > 0, "pt": pt, "eta": zeros, "phi": zeros, "mass": zeros}


def test_order_is_targets_then_extra_jets_by_pt():
    source = _source([[90, 80, 70, 60, 50, 40, 30, 20], [90, 80, 70, 60, 50, 40, 0, 0]])
    targets = np.array([[7, 0, 2, 5, 6, 1], [0, 1, 2, 3, 4, 5]])
    jets, n_extra = ordered_jets(source, targets)
    np.testing.assert_array_equal(n_extra, [2, 0])
    np.testing.assert_allclose(jets[0, :, 1], [20, 90, 70, 40, 30, 80, 60, 50])
    np.testing.assert_allclose(jets[1, 6:], 0)


def test_unmatched_events_are_dropped():
    source = _source([[90, 80, 70, 60, 50, 40]])
    jets, _ = ordered_jets(source, np.array([[0, 1, 2, 3, 4, -1]]))
    assert jets.shape == (0, 6, 4)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        export_event_generation(tmp_path / "missing.h5", tmp_path)
