"""Refuse HDF5 files whose pickled attributes would run code when PyTables reads them.

PyTables (and so ``pandas.read_hdf`` and ``pandas.HDFStore``) unpickles every byte-string
attribute that ends in ``.``, and a pickle can call any importable function. pandas' own
attributes (column names, index descriptions) are lists, tuples, dicts, strings and None, which
unpickle without importing anything. So before a file is handed to pandas, every such attribute
is unpickled here by an unpickler that refuses every import; one that needs an import is refused
with the file, object and attribute named.
"""

from __future__ import annotations

import io
import os
import pickle
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import h5py


class _NoImports(pickle.Unpickler):
    """Unpickles only data: every global (function, class) a pickle names is refused."""

    def find_class(self, module: str, name: str) -> None:
        raise pickle.UnpicklingError(f"imports {module}.{name}")


def _pickle_imports(value: bytes) -> str | None:
    """What the pickle ``value`` would import (``"imports module.name"``), or None if it needs no
    import or is no pickle at all (PyTables then keeps the bytes as they are)."""
    for encoding in ("ASCII", "latin1", "bytes"):  # PyTables' own order of attempts
        try:
            _NoImports(io.BytesIO(value), encoding=encoding).load()
        except pickle.UnpicklingError as error:
            if str(error).startswith("imports "):
                return str(error)
            return None
        except UnicodeDecodeError:
            continue
        except Exception:  # noqa: BLE001 - not a pickle: PyTables keeps the bytes
            return None
        return None
    return None


def refuse_pickled_code(file: h5py.File, path: str | os.PathLike) -> None:
    """Raise ``ValueError`` if an attribute of ``file`` holds a pickle that imports anything.

    Parameters
    ----------
    file : h5py.File
        The open file; every group and dataset is visited.
    path : str or os.PathLike
        Its path, for the message.

    Raises
    ------
    ValueError
        Naming the file, the object, the attribute and what the pickle would import.
    """
    objects = [("/", file)]
    file.visititems(lambda name, obj: objects.append((name, obj)))
    for name, obj in objects:
        for key in obj.attrs:
            try:
                value = obj.attrs[key]
            except (OSError, TypeError):  # a type h5py cannot read: PyTables does not unpickle it either
                continue
            if isinstance(value, str):  # variable-length strings: h5py decodes them, PyTables gives bytes
                value = value.encode("utf-8", "surrogateescape")
            if isinstance(value, (bytes, np.bytes_)) and bytes(value).endswith(b"."):
                imports = _pickle_imports(bytes(value))
                if imports is not None:
                    raise ValueError(
                        f"{path}: attribute '{key}' of '{name}' is a pickle that {imports}: reading the file with "
                        "pandas/PyTables would run it, so it is refused (pandas' own attributes import nothing)"
                    )
