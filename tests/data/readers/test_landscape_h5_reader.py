import sys

import h5py
import numpy as np
import pytest
import torch

from lorentznets.data.convert import iter_landscape_chunks
from lorentznets.data.readers import FileRange, file_ranges, load_jets

from .jet_files import landscape_frame, random_jets, reference_order, write_landscape

pytest.importorskip("tables", reason="pandas needs 'tables' to write the landscape test files")


@pytest.fixture
def jets():
    momenta, _ = random_jets(30, 200, seed=3)
    # The landscape files list constituents hardest first; keep that order in the file.
    momenta, _ = reference_order(momenta, 200)
    labels = np.arange(30) % 2
    truth = np.random.default_rng(4).normal(size=(30, 4)) * 100
    return momenta, labels, truth


@pytest.mark.parametrize("fmt", ["fixed", "table"])
def test_values_order_mask_labels_truth(tmp_path, jets, fmt):
    momenta, labels, truth = jets
    path = write_landscape(tmp_path / "val.h5", momenta, labels, truth, fmt=fmt)
    data = load_jets(path, max_particles=50)
    expected, mask = reference_order(momenta.astype(np.float32), 50)
    np.testing.assert_array_equal(data.momenta.numpy(), expected.astype(np.float32))
    np.testing.assert_array_equal(data.mask.numpy(), mask)
    np.testing.assert_array_equal(data.labels.numpy(), labels)
    np.testing.assert_array_equal(data.truth.numpy(), truth.astype(np.float32))
    assert data.scalars is None
    assert data.momenta.dtype == torch.float32
    assert "landscape_h5" in data.source


def test_fixed_format_file_layout_is_plain_hdf5(tmp_path, jets):
    """The default ``to_hdf`` layout that the h5py path relies on."""
    momenta, labels, truth = jets
    path = write_landscape(tmp_path / "train.h5", momenta, labels, truth)
    with h5py.File(path, "r") as file:
        assert {"axis0", "axis1", "block0_items", "block0_values"} <= set(file["table"])
        assert file["table/block0_values"].shape == (30, 804)


def test_unsorted_rows_are_sorted(tmp_path, jets):
    momenta, labels, truth = jets
    shuffled = momenta[:, ::-1].copy()
    path = write_landscape(tmp_path / "u.h5", shuffled, labels, truth)
    data = load_jets(path, format="landscape_h5", max_particles=200)
    np.testing.assert_array_equal(data.momenta.numpy(), momenta.astype(np.float32))


def test_max_jets_and_chunks(tmp_path, jets):
    momenta, labels, truth = jets
    path = write_landscape(tmp_path / "c.h5", momenta, labels, truth)
    data = load_jets(path, max_jets=11)
    assert len(data) == 11
    np.testing.assert_array_equal(data.labels.numpy(), labels[:11])


def test_nan_momenta(tmp_path, jets):
    momenta, labels, truth = jets
    momenta[12, 3, 1] = np.nan
    path = write_landscape(tmp_path / "nan.h5", momenta, labels, truth)
    with pytest.raises(ValueError, match=r"nan\.h5: key 'E_\*/PX_\*/PY_\*/PZ_\* columns' has NaN/inf values in 1 jet"):
        load_jets(path)


def test_missing_column(tmp_path, jets):
    momenta, labels, truth = jets
    frame = landscape_frame(momenta, labels, truth).drop(columns=["truthPX"])
    frame.to_hdf(tmp_path / "col.h5", key="table")
    with pytest.raises(KeyError, match=r"col\.h5: frame 'table' has no column 'truthPX'; columns present"):
        load_jets(tmp_path / "col.h5", format="landscape_h5")


def test_wrong_frame_key(tmp_path, jets):
    momenta, labels, truth = jets
    landscape_frame(momenta, labels, truth).to_hdf(tmp_path / "key.h5", key="jets")
    with pytest.raises(KeyError, match=r"key\.h5: missing key 'table'; keys present: \['jets'\]"):
        load_jets(tmp_path / "key.h5", format="landscape_h5")


def test_empty_jets(tmp_path, jets):
    momenta, labels, truth = jets
    momenta[2] = 0
    path = write_landscape(tmp_path / "e.h5", momenta, labels, truth)
    with pytest.raises(ValueError, match=r"1 jet\(s\) have no constituents.*first empty jet index 2"):
        load_jets(path)


def test_an_empty_fixed_format_file_has_no_jets(tmp_path, jets):
    # pandas stores the empty arrays of the fixed format as (1, 1) placeholders (an empty frame in
    # the table format is not written at all).
    momenta, labels, truth = jets
    path = write_landscape(tmp_path / "empty.h5", momenta[:0], labels[:0], truth[:0])
    assert file_ranges(path) == [FileRange(path, "landscape_h5", None, 0, 0)]
    data = load_jets(path, max_particles=4)
    assert len(data) == 0 and data.momenta.shape == (0, 4, 4)


@pytest.mark.parametrize("complib", ["blosc", "blosc:zstd", "bzip2"])
def test_fixed_format_with_a_filter_h5py_lacks_is_read_through_pandas(tmp_path, jets, complib):
    momenta, labels, truth = jets
    path = tmp_path / "packed.h5"
    landscape_frame(momenta, labels, truth).to_hdf(path, key="table", complevel=5, complib=complib)
    reference = load_jets(write_landscape(tmp_path / "plain.h5", momenta, labels, truth), max_particles=50)
    data = load_jets(path, max_particles=50)
    for name in ("momenta", "mask", "labels", "truth"):
        assert torch.equal(getattr(data, name), getattr(reference, name)), name
    chunks = list(iter_landscape_chunks(path, 50, max_jets=25, chunk_size=7, first_jet=3))
    assert [c.offset for c in chunks] == [3, 10, 17, 24]
    np.testing.assert_array_equal(np.concatenate([c.labels for c in chunks]), labels[3:25])


def test_fixed_format_with_a_filter_h5py_lacks_names_the_filter_and_the_fix(tmp_path, jets, monkeypatch):
    if h5py.h5z.filter_avail(32001):
        pytest.skip("this h5py reads blosc itself")
    momenta, labels, truth = jets
    path = tmp_path / "packed.h5"
    landscape_frame(momenta, labels, truth).to_hdf(path, key="table", complevel=5, complib="blosc")
    monkeypatch.setitem(sys.modules, "tables", None)
    message = (
        r"packed\.h5: frame 'table' is compressed with the HDF5 filter blosc, which h5py cannot read here; "
        r"reading it needs the 'tables' package \(pip install tables\), or re-save it .*complib='zlib'"
    )
    with pytest.raises(ImportError, match=message):
        load_jets(path)
