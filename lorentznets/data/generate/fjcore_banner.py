"""Keep the banner of Pythia's built-in fjcore off the console.

Pythia's ``SlowJet`` clusters with its own copy of FastJet (fjcore), which prints the 13-line
FastJet banner on its first clustering in every process. Unlike the ``fastjet`` package (see
:func:`~lorentznets.data.generate.clustering.silence_fastjet_banner`), the Python bindings of
Pythia do not expose the banner stream, so the first clustering of a process runs once on a
two-particle event with the standard output sent to ``/dev/null``; fjcore then counts its banner
as shown.
"""

from __future__ import annotations

import ctypes
import os
import sys

from lorentznets.data.convert.optional import import_optional

pythia8mc = import_optional("pythia8mc", "the Pythia event generators (lorentznets.data.generate)")

_shown = False


def silence_fjcore_banner() -> None:
    """Show fjcore's banner to ``/dev/null`` once in this process (later calls do nothing)."""
    global _shown
    if _shown:
        return
    event = pythia8mc.Event()
    for px, py in ((10.0, 0.0), (0.0, 10.0)):
        event.append(22, 91, 0, 0, px, py, 5.0, (px**2 + py**2 + 25.0) ** 0.5, 0.0)
    jets = pythia8mc.SlowJet(-1, 0.4)
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        jets.analyze(event)
        # The banner may sit in C's stdio buffer (fully buffered on a pipe): flush it to /dev/null.
        ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    _shown = True
