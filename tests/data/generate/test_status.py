import h5py
import numpy as np
import pytest

from lorentznets.data.generate.h5_writer import ChunkedH5Writer
from lorentznets.data.generate.status import generation_status
from lorentznets.data.readers import load_jets, load_npy

SETTINGS = {"generator": "lorentznets.data.generate.toptagging", "seed": 1}


def _lgn_chunk(rows: int) -> dict[str, np.ndarray]:
    p = np.zeros((rows, 3, 4), np.float32)
    p[:, :2] = [5.0, 3.0, 0.0, 4.0]
    mask = (p != 0).any(-1)
    return {"Nobj": mask.sum(1), "Pmu": p, "label": mask, "is_signal": np.arange(rows) % 2}


def _write(path, chunks: int, n_requested: int, complete: bool):
    with ChunkedH5Writer(path, SETTINGS, chunk_size=4, n_requested=n_requested) as writer:
        for _ in range(chunks):
            writer.append(_lgn_chunk(4))
        if complete:
            writer.mark_complete()
    return path


def test_missing_and_complete(tmp_path):
    assert generation_status(tmp_path / "none.h5").state == "missing"
    status = generation_status(_write(tmp_path / "x.h5", 2, 8, complete=True))
    assert (status.state, status.rows, status.n_requested, status.complete) == ("complete", 8, 8, True)
    assert len(load_jets(tmp_path / "x.h5")) == 8


def test_interrupted_generation_is_partial_and_refused_by_the_reader(tmp_path):
    path = _write(tmp_path / "x.h5", 1, 12, complete=False)
    status = generation_status(path)
    assert (status.state, status.rows, status.n_requested, status.resumable) == ("partial", 4, 12, True)
    assert status.message == (
        f"{path}: partial, 4 of 12 rows (an interrupted generation); continue it with "
        "lorentznets.data.generate.toptagging's --resume (the Python entry point's resume=True), or replace "
        "it with --overwrite"
    )
    with pytest.raises(ValueError) as error:
        load_jets(path)
    assert str(error.value) == f"refusing to read a partly generated file: {status.message}"


def test_complete_file_smaller_than_asked_for_is_partial(tmp_path):
    path = _write(tmp_path / "x.h5", 2, 8, complete=True)
    status = generation_status(path, n_requested=20)
    assert (status.state, status.rows, status.n_requested, status.resumable) == ("partial", 8, 20, True)
    assert "a complete generation of 8 rows, fewer than asked for" in status.message


def test_file_from_before_the_completion_attribute(tmp_path):
    path = _write(tmp_path / "x.h5", 2, 8, complete=False)
    with h5py.File(path, "a") as file:
        del file.attrs["complete"], file.attrs["n_requested"]
    assert generation_status(path).state == "complete"
    assert generation_status(path, n_requested=8).state == "complete"
    assert generation_status(path, n_requested=9).state == "partial"


def test_external_and_unreadable_files(tmp_path):
    with h5py.File(tmp_path / "public.h5", "w") as file:
        file["Pmu"] = np.zeros((2, 3, 4))
    assert generation_status(tmp_path / "public.h5").state == "external"
    (tmp_path / "cut.h5").write_bytes(b"")
    status = generation_status(tmp_path / "cut.h5")
    assert status.state == "unreadable" and status.message.startswith(f"{tmp_path / 'cut.h5'}: cannot open as HDF5")


def test_npy_files(tmp_path):
    np.save(tmp_path / "zg.npy", np.ones((10, 17)))
    assert generation_status(tmp_path / "zg.npy").state == "complete"
    assert generation_status(tmp_path / "zg.npy", n_requested=10).rows == 10
    status = generation_status(tmp_path / "zg.npy", n_requested=11)
    assert (status.state, status.resumable) == ("partial", False)
    data = (tmp_path / "zg.npy").read_bytes()
    (tmp_path / "cut.npy").write_bytes(data[: len(data) // 2])
    status = generation_status(tmp_path / "cut.npy")
    assert status.state == "unreadable"
    assert status.message == (
        f"{tmp_path / 'cut.npy'}: truncated .npy file: {len(data) // 2} bytes, but its header ((10, 17), float64) "
        f"needs {len(data)}; generate it again"
    )


def test_load_npy_names_empty_and_truncated_files(tmp_path):
    (tmp_path / "empty.npy").write_bytes(b"")
    with pytest.raises(ValueError) as error:
        load_npy(tmp_path / "empty.npy")
    assert str(error.value).startswith(f"{tmp_path / 'empty.npy'}: not a readable .npy file (0 bytes): EOF")
    np.save(tmp_path / "ok.npy", np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(load_npy(tmp_path / "ok.npy"), np.arange(6.0).reshape(2, 3))
    (tmp_path / "text.npy").write_text("not numpy at all")
    with pytest.raises(ValueError, match=r"text\.npy: not a readable \.npy file \(16 bytes\)"):
        load_npy(tmp_path / "text.npy")
