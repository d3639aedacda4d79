"""Errors of data files in one line: a file's error found while it is streamed (after the run
has started), and the message of any reader error."""

from __future__ import annotations


def error_message(error: BaseException) -> str:
    """The message of ``error`` as the raiser wrote it (``str`` of a ``KeyError`` adds quotes)."""
    if isinstance(error, KeyError) and error.args:
        return str(error.args[0])
    return str(error)


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
