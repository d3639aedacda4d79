"""The data packages are optional: the readers import without them and say how to install them."""

import subprocess
import sys

import numpy as np
import pytest

from lorentznets.data.convert.optional import import_optional
from lorentznets.data.readers import load_jets


def test_missing_package_names_the_extra():
    with pytest.raises(ImportError) as error:
        import_optional("no_such_package_here", "reading jets.h5")
    assert str(error.value) == (
        "reading jets.h5 needs the package 'no_such_package_here', which is not installed: "
        "pip install lorentznets[data]"
    )


def test_reading_hdf5_without_h5py_says_what_to_install(tmp_path, monkeypatch):
    (tmp_path / "jets.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"needs the package 'h5py', .*: pip install lorentznets\[data\]"):
        load_jets(tmp_path / "jets.h5", format="lgn_h5")


def test_readers_and_status_import_without_the_data_packages(tmp_path):
    np.savez(tmp_path / "top.npz", kinematics_test=np.zeros((1, 2, 4)) + [5.0, 3.0, 0.0, 4.0], labels_test=[1])
    script = (
        "import sys\n"
        "sys.modules.update(h5py=None, uproot=None, awkward=None, pandas=None)\n"
        "from lorentznets.data.readers import load_jets\n"
        "from lorentznets.data.generate import generation_status\n"
        f"print(len(load_jets({str(tmp_path / 'top.npz')!r}, split='test')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "1\n"
