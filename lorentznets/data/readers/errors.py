"""The error of a data file found while it is streamed, after the run has started."""

from __future__ import annotations


class StreamedDataError(ValueError):
    """A bad block of a streamed file (NaN momenta, empty jets, ...), named in the message.

    Raised in place of the reader's own error, so that a run can tell bad data met mid-training
    from a failure of its code and stop with one line. In a ``DataLoader`` worker the message
    gains the worker's traceback; :func:`streamed_data_message` recovers the reader's line.
    """


def streamed_data_message(error: StreamedDataError) -> str:
    """The reader's message of ``error``, without a ``DataLoader`` worker's traceback around it."""
    lines = str(error).splitlines()
    if len(lines) < 2:
        return str(error)
    marker = f"{StreamedDataError.__name__}: "
    last = lines[-1]
    return last[last.index(marker) + len(marker) :] if marker in last else str(error)
