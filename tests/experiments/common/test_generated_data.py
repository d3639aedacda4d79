"""Generate-if-missing with the real Pythia generator: generate, use as is, resume, refuse."""

import json

import h5py
import pytest

from experiments.common.generated_data import ensure_generated, pythia_generator
from lorentznets.data.generate.h5_writer import COMPLETE_ATTR, REQUESTED_ATTR


def _generate(n, args=("--chunk-size", "10")):
    return {"dataset": "toptagging", "n": n, "seed": 3, "workers": 1, "args": list(args)}


def _ensure(path, generate):
    return ensure_generated(path, generate, pythia_generator(path, generate), "test jets")


def test_generates_uses_as_is_and_resumes_a_partial_file(tmp_path, caplog):
    path = tmp_path / "data" / "top.h5"
    _ensure(path, _generate(20, ("--detector", "--chunk-size", "10")))
    with h5py.File(path) as handle:
        settings = json.loads(handle.attrs["generator_settings"])
        assert len(handle["Nobj"]) == 20
    assert settings["detector"] is not None and settings["chunk_size"] == 10
    # A complete file is used as it is: no generator is needed, and a sampling setting (the seed)
    # may differ.
    ensure_generated(path, {**_generate(20, ("--detector", "--chunk-size", "10")), "seed": 9}, None, "test jets")
    # One with other conventions (particles instead of detector objects) is never reused.
    with pytest.raises(ValueError, match=r"top.h5 was generated with other conventions.*detector: file has \{"):
        _ensure(path, _generate(20))
    # A finished file with fewer rows than asked for is used as it is, never changed.
    caplog.set_level("WARNING", logger="lorentznets")
    _ensure(path, _generate(30, ("--detector", "--chunk-size", "10")))
    assert "holds 20 rows, fewer than data.generate.n=30: using it as it is" in caplog.text
    with h5py.File(path) as handle:
        assert len(handle["Nobj"]) == 20
    # An interrupted generation (as the generator leaves it when killed) is resumed, and says so.
    with h5py.File(path, "r+") as handle:
        handle.attrs[COMPLETE_ATTR] = False
        handle.attrs[REQUESTED_ATTR] = 30
    _ensure(path, _generate(30, ("--detector", "--chunk-size", "10")))
    assert "resuming the interrupted generation" in caplog.text
    with h5py.File(path) as handle:
        assert len(handle["Nobj"]) == 30


def test_rejected_generator_option_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"rejected its options \['--bogus'\].*data.generate.args"):
        _ensure(tmp_path / "top.h5", _generate(10, ("--bogus",)))


def test_missing_file_without_generation_is_a_clear_error(tmp_path):
    path = tmp_path / "absent.h5"
    with pytest.raises(FileNotFoundError, match="absent.h5 does not exist and data.generate is null"):
        ensure_generated(path, None, None, "nothing")


def test_an_unreadable_file_is_never_replaced(tmp_path):
    # a copy still in progress, or anyone's file the generator cannot open: no generator is even built
    path = tmp_path / "top.h5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(ValueError, match=r"top\.h5: cannot open as HDF5.*not replaced by a new generation: delete it"):
        ensure_generated(path, _generate(10), None, "test jets")
    assert path.read_bytes()[8:] == bytes(100)


def test_a_public_file_of_another_format_is_used_as_it_is(tmp_path):
    # a quick config keeps data.generate set; data.path=QG_jets.npz must read the user's file
    path = tmp_path / "QG_jets.npz"
    path.write_bytes(b"PK\x03\x04 a zip archive")
    assert ensure_generated(path, _generate(10), None, "test jets") == path
    assert path.read_bytes() == b"PK\x03\x04 a zip archive"


@pytest.mark.parametrize("name", ["QG_jets.npz", "events.npy", "jets"])
def test_generating_under_a_name_of_another_format_is_refused_before_generating(tmp_path, name):
    # docs/running.md's QG_jets.npz without the file: HDF5 written under a .npz name failed every later run
    path = tmp_path / "data" / name
    with pytest.raises(ValueError, match=rf"^data.path=\S*{name} does not exist, .*give data.path a .h5 name"):
        _ensure(path, _generate(10))
    assert not path.parent.exists()


def test_a_generator_of_another_format_names_its_own_suffixes(tmp_path):
    path = tmp_path / "zgg.h5"
    with pytest.raises(ValueError, match=r"would write .npy data to this .h5 name"):
        ensure_generated(path, _generate(10), None, "events", suffixes=(".npy",))
    assert not path.exists()
