"""The reader's line of a streamed-data error, also when a DataLoader worker re-raised it."""

import torch
from torch.utils.data import DataLoader, IterableDataset

from lorentznets.data.readers.errors import StreamedDataError, streamed_data_message


class _BadBlock(IterableDataset):
    def __iter__(self):
        raise StreamedDataError("f.h5: key 'Pmu' has NaN/inf values in 1 jet(s); first bad jet index 7")
        yield torch.zeros(1)


def test_the_readers_line_survives_a_worker_traceback():
    line = "f.h5: key 'Pmu' has NaN/inf values in 1 jet(s); first bad jet index 7"
    assert streamed_data_message(StreamedDataError(line)) == line
    try:
        next(iter(DataLoader(_BadBlock(), batch_size=None, num_workers=1)))
    except StreamedDataError as error:
        assert "Traceback" in str(error)  # the worker's, around the reader's line
        assert streamed_data_message(error) == line
    else:
        raise AssertionError("the worker's error did not reach the main process")
