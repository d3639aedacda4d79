"""Streaming a JetClass-layout directory (one class per ROOT file) larger than the memory cap."""

import tracemalloc

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from lorentznets.data.readers import load_jets
from lorentznets.data.readers.file_ranges import file_ranges
from lorentznets.data.readers.stream import JetStream, SequentialJetStream, bytes_per_jet
from lorentznets.data.readers.stream_sample import can_stream

from .jet_files import random_jets, write_energyflow, write_energyflow_h5, write_jetclass, write_landscape, write_lgn

CLASSES = 5
FILES_PER_CLASS = 2
JETS_PER_FILE = 256
PARTICLES = 16
# Windows of 2 x 5 - 1 = 9 blocks or more hold every class (see lorentznets.data.readers.stream_plan).
LAYOUT = {"block_jets": 32, "window_jets": 320, "interleave": 2, "sample_jets": 32}
CAP = 700_000  # bytes


@pytest.fixture(scope="module")
def jetclass_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jetclass")
    for label in range(CLASSES):
        for copy in range(FILES_PER_CLASS):
            seed = 10 * label + copy
            momenta, counts = random_jets(JETS_PER_FILE, PARTICLES, seed=seed)
            write_jetclass(folder / f"C{label}_{copy:03d}.root", momenta, counts, np.full(JETS_PER_FILE, label), seed)
    return folder


def stream(folder, rank=0, world_size=1, **options):
    return JetStream(
        file_ranges(folder / "*.root"), PARTICLES, 64, seed=3, rank=rank, world_size=world_size, **LAYOUT, **options
    )


def jet_ids(jets):
    """An identity for every jet: its label and the momenta of its first constituent."""
    return [tuple(row) for row in torch.cat([jets.labels[:, None].double(), jets.momenta[:, 0].double()], 1).tolist()]


@pytest.fixture(scope="module")
def one_epoch(jetclass_dir):
    """Rank 0's first epoch of batches, streamed under the memory cap."""
    jets = stream(jetclass_dir, memory_cap_bytes=CAP)
    return jets, [batch for batch, _ in zip(jets, range(jets.windows_per_epoch * jets.batches_per_window))]


def test_streams_a_directory_larger_than_its_memory_cap(jetclass_dir, one_epoch):
    jets, batches = one_epoch
    in_memory = jets.num_jets * bytes_per_jet(PARTICLES, 6, weighted=False)
    assert in_memory > 2 * CAP > 2 * jets.memory_bound_bytes
    ids = [jet for batch in batches for jet in jet_ids(batch)]
    # An epoch holds each jet at most once; the jets after its last full window wait for the next.
    assert len(ids) == len(set(ids)) == jets.windows_per_epoch * jets.window_jets > 0.85 * jets.num_jets
    with pytest.raises(ValueError, match=r"streaming needs up to .* GB per process .* more than the cap"):
        stream(jetclass_dir, memory_cap_bytes=CAP // 4)


@pytest.mark.slow
def test_peak_memory_of_streaming_stays_under_the_cap(tmp_path):
    particles, cap = 64, 3_000_000
    for label in range(CLASSES):
        for copy in range(FILES_PER_CLASS):
            momenta, counts = random_jets(2000, particles, seed=10 * label + copy)
            path = tmp_path / f"C{label}_{copy:03d}.root"
            write_jetclass(path, momenta, counts, np.full(2000, label), basket_entries=100)
    ranges = file_ranges(tmp_path / "*.root")
    jets = JetStream(ranges, particles, 64, seed=0, memory_cap_bytes=cap, **LAYOUT)
    in_memory = jets.num_jets * bytes_per_jet(particles, 6, weighted=False)
    tracemalloc.start()
    try:
        for _ in zip(jets, range(3 * jets.interleave * jets.batches_per_window)):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Everything Python and numpy allocated counts: uproot's parsed file metadata and the ROOT
    # baskets (100 jets here) that cover a block being read, besides the stream's own bound.
    assert in_memory > 10 * cap
    assert peak < cap + 1_000_000, f"peak {peak} bytes"


def test_every_batch_mixes_the_classes_in_proportion(one_epoch):
    jets, batches = one_epoch
    assert sorted(set(jets.sample.groups)) == list(range(CLASSES))
    counts = torch.stack([torch.bincount(batch.labels, minlength=CLASSES) for batch in batches])
    assert (counts > 0).all(), "a batch lacks a class"
    assert counts.max() <= 64 * 0.45
    fractions = counts.sum(0) / counts.sum()
    assert (fractions - 1 / CLASSES).abs().max() < 0.03, fractions


def test_resume_continues_exactly_with_any_number_of_workers(jetclass_dir, one_epoch):
    _, reference = one_epoch
    saved = stream(jetclass_dir).state_dict(17)
    resumed = stream(jetclass_dir, num_workers=2)
    resumed.load_state_dict(saved)
    loader = DataLoader(resumed, batch_size=None, num_workers=2)
    for expected, (batch, _) in zip(reference[17:30], zip(loader, range(13)), strict=True):
        for field in ("momenta", "mask", "labels", "scalars"):
            assert torch.equal(getattr(batch, field), getattr(expected, field)), field


def test_position_survives_a_weights_only_checkpoint_and_checks_the_layout(jetclass_dir, tmp_path):
    torch.save({"stream": stream(jetclass_dir).state_dict(5)}, tmp_path / "last.pt")
    state = torch.load(tmp_path / "last.pt", weights_only=True)["stream"]
    resumed = stream(jetclass_dir)
    resumed.load_state_dict(state)
    assert resumed.start_batch == 5
    other = JetStream(file_ranges(jetclass_dir / "*.root"), PARTICLES, 32, seed=3, **LAYOUT)
    with pytest.raises(ValueError, match=r"another data layout \(differs in \['batch_size'\]\)"):
        other.load_state_dict(state)


def test_ranks_get_disjoint_shards(jetclass_dir):
    world = 2
    shards = []
    for rank in range(world):
        jets = stream(jetclass_dir, rank=rank, world_size=world)
        epoch = jets.windows_per_epoch * jets.batches_per_window
        ids = [jet for batch, _ in zip(jets, range(epoch)) for jet in jet_ids(batch)]
        assert len(ids) == len(set(ids)), "a jet repeats within an epoch"
        shards.append(set(ids))
    assert not shards[0] & shards[1]
    assert len(shards[0]) == len(shards[1])


def test_sequential_reads_every_jet_once_across_ranks_and_workers(jetclass_dir):
    ranges = file_ranges(jetclass_dir / "*.root", max_jets=1000)
    whole = SequentialJetStream(ranges, PARTICLES, 50, block_jets=64, sample_jets=16)
    ids = []
    for rank in range(2):
        loader = DataLoader(whole.with_batches(50, rank, 2), batch_size=None, num_workers=2)
        ids += [jet for batch in loader for jet in jet_ids(batch)]
    assert len(ids) == len(set(ids)) == 1000
    assert sorted(label for label, *_ in ids) == sorted([c for c in range(CLASSES) for _ in range(200)])


def test_sequential_batches_are_the_files_jets_in_order_cut_at_blocks(tmp_path):
    momenta, _ = random_jets(130, 9, seed=7)
    path = write_landscape(tmp_path / "l.h5", momenta, np.arange(130) % 2, momenta.sum(axis=1))
    batches = list(SequentialJetStream(file_ranges(path), 8, 17, block_jets=40, sample_jets=16))
    assert [len(batch) for batch in batches] == [17, 17, 6] * 3 + [10]
    whole = load_jets(path, max_particles=8)
    for field in ("momenta", "mask", "labels"):
        assert torch.equal(torch.cat([getattr(batch, field) for batch in batches]), getattr(whole, field)), field
    # As the training stream's batches: no truth, and the stream as source.
    assert all(batch.truth is None and batch.source == f"{path} (130 jets)" for batch in batches)


def _capped_ids(whole, max_batches, world_size, workers=0):
    """The jets of a capped stream over all ranks (a list per rank)."""
    shards = []
    for rank in range(world_size):
        capped = whole.with_batches(whole.batch_size, rank, world_size, max_batches)
        loader = DataLoader(capped, batch_size=None, num_workers=workers)
        shards.append([jet_ids(batch) for batch in loader])
    return shards


@pytest.mark.parametrize("max_batches", [1, 5])
def test_a_capped_stream_reads_the_same_jets_spread_over_every_file_with_any_number_of_ranks(jetclass_dir, max_batches):
    """``training.max_val_batches`` of a streamed split: on files of one class each, the first
    batches in file order held one class, and each rank read its own blocks."""
    paths = sorted(jetclass_dir.glob("*.root"))
    file_of = {jet: path for path in paths for jet in jet_ids(load_jets(path, max_particles=PARTICLES))}
    whole = SequentialJetStream(file_ranges(jetclass_dir / "*.root"), PARTICLES, 16, block_jets=32, sample_jets=16)
    (single,) = _capped_ids(whole, max_batches, 1)
    assert [len(batch) for batch in single] == [16] * max_batches
    ids = [jet for batch in single for jet in batch]
    assert len(set(ids)) == len(ids) == 16 * max_batches
    for world_size, workers in [(2, 0), (2, 2), (3, 0)]:
        shards = _capped_ids(whole, max_batches, world_size, workers)
        # the batches dealt over the ranks (a rank may get none), each once
        dealt = [len(range(rank, max_batches, world_size)) for rank in range(world_size)]
        assert [len(shard) for shard in shards] == dealt
        assert sorted(jet for shard in shards for batch in shard for jet in batch) == sorted(ids)
    assert _capped_ids(whole, max_batches, 1) == [single], "the subset is fixed"
    files = [file_of[jet] for jet in ids]
    labels = sorted({label for label, *_ in ids})
    assert labels == list(range(CLASSES)), "every class in the capped subset"
    if max_batches == 5:
        # 80 jets of 10 files of equal size: 8 from each
        assert all(files.count(path) == 8 for path in paths)


def test_a_cap_of_the_whole_split_or_more_reads_every_jet_as_without_it(jetclass_dir):
    """max_batches x batch_size jets or more: the uncapped batches (here 10, cut at the files' ends)."""
    ranges = file_ranges(jetclass_dir / "*.root", max_jets=300)
    whole = SequentialJetStream(ranges, PARTICLES, 50, block_jets=64, sample_jets=16)
    uncapped = [jet_ids(batch) for batch in whole]
    for max_batches in (6, 7):
        assert [jet_ids(batch) for batch in whole.with_batches(50, max_batches=max_batches)] == uncapped
    assert len([jet_ids(batch) for batch in whole.with_batches(50, max_batches=5)]) == 5
    with pytest.raises(ValueError, match="max_batches must be >= 1 or None, got 0"):
        whole.with_batches(50, max_batches=0)


def test_a_bad_jet_far_into_a_file_is_reported_with_its_file_index(tmp_path):
    momenta, _ = random_jets(600, 8, seed=4)
    momenta[450, 0, 0] = -1.0
    write_lgn(tmp_path / "bad.h5", momenta, np.arange(600) % 2)
    jets = JetStream(file_ranges(tmp_path / "bad.h5"), 8, 50, seed=0, block_jets=100, window_jets=100, interleave=1)
    with pytest.raises(ValueError, match=r"bad\.h5: key 'Pmu' has negative energy .* first at jet 450"):
        for _ in zip(jets, range(12)):
            pass


def test_streaming_an_energyflow_npz_names_the_command_converting_it(tmp_path):
    particles = np.zeros((40, 3, 4))
    particles[:, 0] = [10.0, 0.1, 0.2, 211]
    ranges = file_ranges(write_energyflow(tmp_path / "QG_jets.npz", particles, np.arange(40) % 2))
    assert not can_stream(ranges[0]), "data.streaming=auto must read it in memory"
    # data.streaming=true builds both streams; each samples the files first.
    refusal = r"QG_jets\.npz: \.npz archives cannot be read by jet ranges; .* -m lorentznets\.data\.convert energyflow"
    with pytest.raises(ValueError, match=refusal):
        JetStream(ranges, 8, 10, seed=0, block_jets=10, window_jets=10, interleave=1)
    with pytest.raises(ValueError, match=refusal):
        SequentialJetStream(ranges, 8, 10)


def test_an_energyflow_hdf5_streams_as_the_same_jets_read_in_memory(tmp_path):
    particles = np.zeros((40, 3, 4))
    particles[:, 0] = [10.0, 0.1, 0.2, 211]
    particles[::3, 1] = [5.0, -0.2, 0.3, 22]
    write_energyflow_h5(tmp_path / "qg.h5", particles, np.arange(40) % 2)
    ranges = file_ranges(tmp_path / "qg.h5")
    assert ranges[0].format == "energyflow_npz" and can_stream(ranges[0]), "data.streaming=auto must stream it"
    batches = list(SequentialJetStream(ranges, 3, 16))
    whole = load_jets(tmp_path / "qg.h5", max_particles=3)
    for field in ("momenta", "scalars", "labels"):
        assert torch.equal(torch.cat([getattr(batch, field) for batch in batches]), getattr(whole, field)), field
