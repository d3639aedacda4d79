import h5py
import numpy as np
import pytest

from lorentznets.data.generate.h5_writer import ChunkedH5Writer


def _chunk(start, rows):
    return {"a": np.arange(start, start + rows), "group/b": np.ones((rows, 3), np.float32)}


def test_appends_and_records_progress(tmp_path):
    path = tmp_path / "x.h5"
    with ChunkedH5Writer(path, {"seed": 1}, chunk_size=4) as writer:
        writer.append(_chunk(0, 4))
        writer.append(_chunk(4, 4))
    with h5py.File(path) as f:
        np.testing.assert_array_equal(f["a"][:], np.arange(8))
        assert f["group/b"].shape == (8, 3)
        assert f.attrs["chunks_done"] == 2 and f.attrs["seed"] == 1


def test_resume_drops_partial_tail_and_checks_settings(tmp_path):
    path = tmp_path / "x.h5"
    with ChunkedH5Writer(path, {"seed": 1}, chunk_size=4) as writer:
        writer.append(_chunk(0, 4))
        writer.append(_chunk(4, 2))
    with pytest.raises(FileExistsError, match="--resume"):
        ChunkedH5Writer(path, {"seed": 1}, chunk_size=4)
    with pytest.raises(ValueError, match="generator_settings"):
        ChunkedH5Writer(path, {"seed": 2}, chunk_size=4, resume=True)
    with ChunkedH5Writer(path, {"seed": 1}, chunk_size=4, resume=True) as writer:
        assert writer.chunks_done == 1 and writer.rows_done == 4
        writer.append(_chunk(4, 4))
    with h5py.File(path) as f:
        np.testing.assert_array_equal(f["a"][:], np.arange(8))


def test_mismatched_chunks_are_rejected(tmp_path):
    with ChunkedH5Writer(tmp_path / "x.h5", {}, chunk_size=2) as writer:
        with pytest.raises(ValueError, match="different lengths"):
            writer.append({"a": np.zeros(2), "b": np.zeros(3)})
        writer.append({"a": np.zeros(2)})
        with pytest.raises(KeyError, match="differ"):
            writer.append({"c": np.zeros(2)})
        with pytest.raises(ValueError, match="shape"):
            writer.append({"a": np.zeros((2, 2))})
