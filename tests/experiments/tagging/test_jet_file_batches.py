"""Batches of one file to predict, read chunk by chunk."""

from __future__ import annotations

import numpy as np
import torch
from tagging_test_utils import write_lgn_jets

from experiments.tagging import jet_file_batches as module
from experiments.tagging.jet_file_batches import jet_file_batches
from lorentznets.data.convert import npz_stream
from tests.data.readers.jet_files import write_energyflow, write_energyflow_h5


def test_chunks_of_any_size_give_the_batches_of_the_whole_file(tmp_path):
    path = write_lgn_jets(tmp_path / "jets.h5", num_jets=30, max_particles=40)
    for batch_size in (1, 7):
        expected = list(jet_file_batches(path, "auto", 20, False, batch_size))
        batches = list(jet_file_batches(path, "auto", 20, False, batch_size, chunk_jets=batch_size))
        assert len(batches) == len(expected) == -(-30 // batch_size)
        for batch, reference in zip(batches, expected, strict=True):
            assert batch.keys() == reference.keys()
            for key in batch:
                torch.testing.assert_close(batch[key], reference[key])


def test_one_jet_chunks_read_only_the_jets_consumed(tmp_path, monkeypatch):
    path = write_lgn_jets(tmp_path / "jets.h5", num_jets=30, max_particles=40)
    reader = module.READERS["lgn_h5"]
    ranges = []
    read_range = reader.read_range

    def recording(file, start, stop, *args, **kwargs):
        ranges.append((start, stop))
        return read_range(file, start, stop, *args, **kwargs)

    monkeypatch.setattr(reader, "read_range", recording)
    next(iter(jet_file_batches(path, "auto", 20, False, 1, chunk_jets=1)))
    assert ranges == [(0, 1)]


def _write_quark_gluon_pair(tmp_path):
    """The same 25 quark-gluon jets (up to 6 constituents) as ``qg.npz`` and ``qg.h5``."""
    rng = np.random.default_rng(0)
    particles = np.zeros((25, 6, 4))
    counts = rng.integers(1, 7, size=25)
    for jet, n in enumerate(counts):
        particles[jet, :n] = np.stack(
            [rng.uniform(1, 50, n), rng.normal(0, 0.3, n), rng.uniform(0, 6, n), rng.choice([22, 211, -211], n)], -1
        )
    labels = np.arange(25) % 2
    npz = write_energyflow(tmp_path / "qg.npz", particles, labels)
    return npz, write_energyflow_h5(tmp_path / "qg.h5", particles, labels)


def test_an_energyflow_npz_is_predicted_whole_as_its_hdf5_conversion_in_chunks(tmp_path):
    _write_quark_gluon_pair(tmp_path)
    whole = list(jet_file_batches(tmp_path / "qg.npz", "auto", 6, True, 4, chunk_jets=8))
    chunked = list(jet_file_batches(tmp_path / "qg.h5", "auto", 6, True, 4, chunk_jets=8))  # 4 reads
    assert len(whole) == len(chunked) == 7
    for batch, reference in zip(whole, chunked, strict=True):
        assert batch.keys() == reference.keys()
        for key in batch:
            torch.testing.assert_close(batch[key], reference[key])


def test_max_jets_stops_after_the_first_jets_of_either_format(tmp_path):
    npz, h5 = _write_quark_gluon_pair(tmp_path)
    everything = list(jet_file_batches(h5, "auto", 6, True, 4, chunk_jets=8))
    for path in (npz, h5):
        first = list(jet_file_batches(path, "auto", 6, True, 4, chunk_jets=8, max_jets=10))
        assert [len(batch["labels"]) for batch in first] == [4, 4, 2]
        for batch, reference in zip(first[:2], everything[:2], strict=True):
            for key in batch:
                torch.testing.assert_close(batch[key], reference[key])
        torch.testing.assert_close(first[2]["labels"], everything[2]["labels"][:2])


def test_one_jet_of_an_npz_decompresses_only_its_first_rows(tmp_path, monkeypatch):
    npz, _ = _write_quark_gluon_pair(tmp_path)
    rows_read = []
    iter_blocks = npz_stream.NpzArray.iter_blocks

    def recording(self, chunk_size, max_rows=None):
        for start, rows in iter_blocks(self, chunk_size, max_rows):
            rows_read.append(len(rows))
            yield start, rows

    monkeypatch.setattr(npz_stream.NpzArray, "iter_blocks", recording)
    (batch,) = jet_file_batches(npz, "auto", 6, True, 1, chunk_jets=1, max_jets=1)
    assert batch["scalars"].shape[0] == 1
    assert rows_read and set(rows_read) == {1}  # particles and labels, one row each
