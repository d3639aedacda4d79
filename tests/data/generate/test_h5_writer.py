import logging
import os
import signal
import subprocess
import sys

import h5py
import numpy as np
import pytest

from lorentznets.data.generate.h5_writer import ChunkedH5Writer
from lorentznets.data.generate.status import generation_status


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


def test_existing_file_error_names_resume_and_overwrite(tmp_path):
    with ChunkedH5Writer(tmp_path / "x.h5", {"seed": 1}, chunk_size=4) as writer:
        writer.append(_chunk(0, 4))
    with pytest.raises(FileExistsError) as error:
        ChunkedH5Writer(tmp_path / "x.h5", {"seed": 1}, chunk_size=4)
    assert str(error.value) == f"{tmp_path / 'x.h5'} exists; pass --resume to continue it or --overwrite to replace it"
    with pytest.raises(ValueError, match=r"other settings .*; pass --overwrite to replace it"):
        ChunkedH5Writer(tmp_path / "x.h5", {"seed": 2}, chunk_size=4, resume=True)


def test_resume_of_a_generator_killed_before_its_first_chunk_starts_again(tmp_path, caplog):
    path = tmp_path / "x.h5"
    script = (
        "import os, signal\n"
        "from lorentznets.data.generate.h5_writer import ChunkedH5Writer\n"
        f"writer = ChunkedH5Writer({str(path)!r}, {{'seed': 1}}, chunk_size=4, n_requested=8)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == -signal.SIGKILL
    status = generation_status(path)
    assert (status.state, status.rows, status.n_requested) == ("partial", 0, 8)
    with caplog.at_level(logging.WARNING), ChunkedH5Writer(path, {"seed": 2}, chunk_size=4, resume=True) as writer:
        assert writer.rows_done == 0
        writer.append(_chunk(0, 4))
    assert f"{path} holds no generated rows yet (an interrupted start?): starting it again" in caplog.text
    with h5py.File(path) as f:
        assert f.attrs["generator_settings"] == '{"seed": 2}'


def test_resume_of_an_unreadable_file_names_overwrite(tmp_path):
    (tmp_path / "x.h5").write_bytes(b"\x89HDF\r\n")
    with pytest.raises(ValueError, match=r"^cannot resume: .*x\.h5: cannot open as HDF5 .*; pass --overwrite"):
        ChunkedH5Writer(tmp_path / "x.h5", {"seed": 1}, chunk_size=4, resume=True)
    with ChunkedH5Writer(tmp_path / "x.h5", {"seed": 1}, chunk_size=4, overwrite=True) as writer:
        writer.append(_chunk(0, 4))
