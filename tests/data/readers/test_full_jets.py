"""Every reader returns each jet's momentum from all its constituents in the file (``JetData.jets``),
also when it keeps fewer, in memory, by row ranges and streamed (the ``weaver`` feature
convention's jet)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch

from lorentznets.data.readers import JetStream, SequentialJetStream, file_ranges, load_jets
from lorentznets.data.readers.formats import READERS, reads_ranges

from .jet_files import random_jets, write_energyflow, write_energyflow_h5, write_jetclass, write_landscape, write_lgn
from .test_energyflow_npz_reader import quark_gluon_jets, reference

NUM_JETS, SLOTS, KEPT = 24, 12, 3


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """``{name: (path, format, split, jets (N, 4) float64: the sum of all constituents as stored)}``."""
    folder = tmp_path_factory.mktemp("full_jets")
    momenta, counts = random_jets(NUM_JETS, SLOTS, seed=4)
    assert (counts > KEPT).sum() > NUM_JETS // 2
    labels = np.arange(NUM_JETS) % 2
    stored32 = momenta.astype(np.float32).astype(np.float64)  # the landscape and JetClass files hold float32
    particles, y = quark_gluon_jets(NUM_JETS, SLOTS, seed=6)
    flow = reference(particles, SLOTS)[0].sum(axis=1)
    write_energyflow_h5(folder / "flow.h5", particles, y)
    np.savez(folder / "lgatr.npz", kinematics_test=momenta, labels_test=labels)
    out = {
        "lgn_h5": (write_lgn(folder / "lgn.h5", momenta, labels), None, momenta.sum(axis=1)),
        "lgatr_npz": (folder / "lgatr.npz", "test", momenta.sum(axis=1)),
        "energyflow_npz": (write_energyflow(folder / "flow.npz", particles, y), None, flow),
        "energyflow_h5": (folder / "flow.h5", None, flow),
        "jetclass_root": (write_jetclass(folder / "j.root", momenta, counts, labels)[0], None, stored32.sum(axis=1)),
    }
    if importlib.util.find_spec("tables") is not None:  # pandas writes HDF5 with it
        truth = np.zeros((NUM_JETS, 4))
        out["landscape_h5"] = (write_landscape(folder / "l.h5", momenta, labels, truth), None, stored32.sum(axis=1))
    return out


FORMATS = ["lgn_h5", "landscape_h5", "lgatr_npz", "energyflow_npz", "energyflow_h5", "jetclass_root"]


def _close(jets: torch.Tensor, expected: np.ndarray) -> None:
    assert jets.dtype == torch.float32
    np.testing.assert_allclose(jets.numpy(), expected, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize("name", FORMATS)
def test_in_memory_jets_are_the_sum_of_all_constituents(files, name):
    if name not in files:
        pytest.skip("writing the landscape file needs the tables package")
    path, split, expected = files[name]
    jets = load_jets(path, split=split, max_particles=KEPT)
    _close(jets.jets, expected)
    kept = jets.momenta.double().sum(dim=1)
    assert not torch.allclose(kept, jets.jets.double(), rtol=1e-3)  # the kept ones alone are another jet
    assert torch.equal(jets.subset([3, 1]).jets, jets.jets[[3, 1]])


@pytest.mark.parametrize("name", [n for n in FORMATS if n not in ("lgatr_npz", "energyflow_npz")])
def test_range_reads_and_streams_carry_the_full_jets(files, name):
    if name not in files:
        pytest.skip("writing the landscape file needs the tables package")
    path, _, expected = files[name]
    ranges = file_ranges(path)
    assert reads_ranges(ranges[0].format, path)
    _close(READERS[ranges[0].format].read_range(path, 5, 17, KEPT).jets, expected[5:17])
    sequential = SequentialJetStream(ranges, KEPT, batch_size=5, block_jets=4, sample_jets=4)
    _close(torch.cat([batch.jets for batch in sequential]), expected)
    stream = JetStream(ranges, KEPT, 4, seed=1, block_jets=4, window_jets=8, interleave=1, sample_jets=4)
    window, _ = stream.window(0, 0)
    whole = load_jets(path, max_particles=KEPT)
    # the window's jets in the file: where the kept constituents match
    index = (window.momenta[:, None] == whole.momenta[None]).flatten(2).all(dim=2).float().argmax(dim=1)
    assert torch.equal(window.momenta, whole.momenta[index])
    _close(window.jets, expected[index.numpy()])


def test_jetclass_jets_come_from_the_jet_branches(tmp_path):
    """The branches jet_pt, jet_eta, jet_phi, jet_energy, not the constituents' sum, where the file
    has them (as weaver reads them); the sum where it has not."""
    momenta, counts = random_jets(6, 5, seed=2)
    labels = np.zeros(6, dtype=int)
    branches = {
        "jet_pt": np.full(6, 300.0, np.float32),
        "jet_eta": np.linspace(-1.5, 1.5, 6).astype(np.float32),
        "jet_phi": np.linspace(-3.0, 3.0, 6).astype(np.float32),
        "jet_energy": np.full(6, 900.0, np.float32),
    }
    path, _ = write_jetclass(tmp_path / "b.root", momenta, counts, labels, replace=branches)
    jets = load_jets(path, max_particles=2).jets.double()
    eta, phi = branches["jet_eta"].astype(np.float64), branches["jet_phi"].astype(np.float64)
    expected = np.stack([np.full(6, 900.0), 300 * np.cos(phi), 300 * np.sin(phi), 300 * np.sinh(eta)], axis=1)
    np.testing.assert_allclose(jets.numpy(), expected, rtol=1e-6)
    bare, _ = write_jetclass(tmp_path / "n.root", momenta, counts, labels, jet_branches=False)
    stored = momenta.astype(np.float32).astype(np.float64)
    _close(load_jets(bare, max_particles=2).jets, stored.sum(axis=1))


def test_jetclass_nan_jet_branch_is_refused_naming_the_jet(tmp_path):
    momenta, counts = random_jets(5, 4, seed=3)
    jet_pt = np.full(5, 300.0, np.float32)
    jet_pt[3] = np.nan
    path, _ = write_jetclass(tmp_path / "nan.root", momenta, counts, np.zeros(5, dtype=int), replace={"jet_pt": jet_pt})
    with pytest.raises(
        ValueError,
        match=r"nan\.root: branches jet_pt/jet_eta/jet_phi/jet_energy give a NaN/inf jet "
        r"momentum in 1 jet\(s\); first bad jet index 3",
    ):
        load_jets(path)
