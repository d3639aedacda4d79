import h5py
import numpy as np
import pytest

from lorentznets.data.generate.eventgen_export import TARGET_ORDER, export_event_generation, ordered_jets
from lorentznets.data.generate.spanet_layout import MASK, source_key, target_key


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


def _write_spanet(path, pt_rows, eta_rows):
    pt = np.array(pt_rows, dtype=np.float32)
    with h5py.File(path, "w") as f:
        f[source_key(MASK)] = pt > 0
        f[source_key("pt")] = pt
        f[source_key("eta")] = np.array(eta_rows, dtype=np.float32)
        f[source_key("phi")] = np.zeros_like(pt)
        f[source_key("mass")] = np.zeros_like(pt)
        for i, name in enumerate(TARGET_ORDER):
            f[target_key(*name.split("/"))] = np.full(len(pt), i)
    return path


def test_export_writes_whole_files(tmp_path):
    path = _write_spanet(tmp_path / "t.h5", [[90, 80, 70, 60, 50, 40, 30]] * 2, [[0.5] * 7] * 2)
    written = export_event_generation(path, tmp_path / "out")
    assert set(written) == {1}
    assert np.load(written[1]).shape == (2, 28)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["ttbar_1j.npy"]


def test_huge_eta_is_reported_with_the_stored_values(tmp_path):
    eta = [[0.5] * 7, [0.5, 0.5, 1e4, 0.5, 0.5, 0.5, 0.5]]
    path = _write_spanet(tmp_path / "t.h5", [[90, 80, 70, 60, 50, 40, 30]] * 2, eta)
    with pytest.raises(ValueError) as error:
        export_event_generation(path, tmp_path / "out")
    assert str(error.value) == (
        f"{path}: key 'INPUTS/Source': converting (pt, eta, phi, mass) to (E, px, py, pz) gives non-finite "
        "values for 1 constituent(s); first at jet 1, particle 2: (pt, eta, phi, mass) = (70, 10000, 0, 0)"
    )
