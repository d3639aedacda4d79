"""Import the optional data packages (h5py, uproot, awkward, ...) only where a file needs them.

``lorentznets`` installs with torch and numpy; the file formats and generators need the ``[data]``
extra. A missing package raises ``ImportError`` saying what needs it and how to install it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

INSTALL_HINT = "pip install lorentznets[data]"


def import_optional(name: str, purpose: str) -> ModuleType:
    """Import and return the module ``name``, or raise ``ImportError`` with an install hint.

    Parameters
    ----------
    name : str
        Module name, e.g. ``"h5py"``.
    purpose : str
        What needs it, for the message, e.g. ``"reading jets.h5"``.

    Examples
    --------
    >>> import_optional("numpy", "tests").__name__
    'numpy'
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        raise ImportError(f"{purpose} needs the package '{name}', which is not installed: {INSTALL_HINT}") from error
