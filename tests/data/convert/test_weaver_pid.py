"""weaver's six particle-ID flags of the EnergyFlow jets (``pid_features="weaver"``) against the
Particle Transformer repository's converter, in every way the readers read the files; the default
(``"lorentznets"``) unchanged."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lorentznets.data.convert.pid import PID_CLASSES
from lorentznets.data.convert.weaver_pid import WEAVER_PID_FLAGS, weaver_pid_flags
from lorentznets.data.readers import load_jets
from lorentznets.data.readers.energyflow_npz import read_range
from lorentznets.data.readers.file_ranges import FileRange
from lorentznets.data.readers.reading_options import ReadingOptions
from lorentznets.data.readers.stream import JetStream, SequentialJetStream
from tests.data.readers.jet_files import write_energyflow, write_energyflow_h5
from tests.data.readers.test_energyflow_npz_reader import quark_gluon_jets, reference

SLOTS = 18


def converter_flags(PID: np.ndarray) -> np.ndarray:
    """``utils/convert_qg_datasets.py``'s PID columns of (float32) PDG codes, transcribed, stacked
    in the order of weaver's ``qg_kinpid.yaml``: (..., 6)."""
    PID = PID.astype(np.float32)
    v = {}
    v["part_isCHPlus"] = ((PID == 211) + (PID == 321) + (PID == 2212)).astype(np.float32)
    v["part_isCHMinus"] = ((PID == -211) + (PID == -321) + (PID == -2212)).astype(np.float32)
    v["part_isNeutralHadron"] = ((PID == 130) + (PID == 2112) + (PID == -2112)).astype(np.float32)
    v["part_isPhoton"] = (PID == 22).astype(np.float32)
    v["part_isEPlus"] = (PID == -11).astype(np.float32)
    v["part_isEMinus"] = (PID == 11).astype(np.float32)
    v["part_isMuPlus"] = (PID == -13).astype(np.float32)
    v["part_isMuMinus"] = (PID == 13).astype(np.float32)
    v["part_isChargedHadron"] = v["part_isCHPlus"] + v["part_isCHMinus"]
    v["part_isElectron"] = v["part_isEPlus"] + v["part_isEMinus"]
    v["part_isMuon"] = v["part_isMuPlus"] + v["part_isMuMinus"]
    v["part_charge"] = (v["part_isCHPlus"] + v["part_isEPlus"] + v["part_isMuPlus"]) - (
        v["part_isCHMinus"] + v["part_isEMinus"] + v["part_isMuMinus"]
    )
    names = ["part_charge", "part_isChargedHadron", "part_isNeutralHadron", "part_isPhoton"]
    return np.stack([v[name] for name in [*names, "part_isElectron", "part_isMuon"]], axis=-1)


def converter_scalars(X: np.ndarray, max_particles: int) -> np.ndarray:
    """The converter's flags (N, max_particles, 6) of the constituents by decreasing pt (as it
    orders them, and our readers), zero after the last."""
    order = np.argsort(-X[..., 0].astype(np.float32), axis=1, kind="stable")
    pid = np.take_along_axis(X[..., 3], order, axis=1)[:, :max_particles]
    real = np.take_along_axis(X[..., 0], order, axis=1)[:, :max_particles] > 0
    return converter_flags(pid) * real[..., None]


def test_flags_are_the_converters_for_every_code():
    codes = np.concatenate([PID_CLASSES, -PID_CLASSES, [0]]).astype(np.float64)
    np.testing.assert_array_equal(weaver_pid_flags(codes), converter_flags(codes))
    assert WEAVER_PID_FLAGS[0] == "part_charge" and len(WEAVER_PID_FLAGS) == 6
    # the codes compared signed, as the converter does: no generator writes -22 or -130
    assert not weaver_pid_flags(np.array([-22.0, -130.0])).any()
    assert weaver_pid_flags(np.array([-2112.0]))[0, 2] == 1


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("qg")
    X, y = quark_gluon_jets(n_jets=40, n_slots=SLOTS, seed=4)
    return {"npz": write_energyflow(folder / "QG_jets.npz", X, y), "h5": write_energyflow_h5(folder / "qg.h5", X, y)}, X


@pytest.mark.parametrize("kind", ["npz", "h5"])
@pytest.mark.parametrize("max_particles", [SLOTS, 6])
def test_readers_give_the_converters_flags(files, kind, max_particles):
    paths, X = files
    data = load_jets(paths[kind], max_particles=max_particles, pid_features="weaver")
    np.testing.assert_array_equal(data.scalars.numpy(), converter_scalars(X, max_particles))
    # the default stays charge and one-hot of abs(pid), and the momenta do not change
    default = load_jets(paths[kind], max_particles=max_particles)
    np.testing.assert_array_equal(default.scalars.numpy(), reference(X, max_particles)[1])
    assert torch.equal(default.momenta, data.momenta) and torch.equal(default.mask, data.mask)


def test_ranges_and_streams_give_the_converters_flags(files):
    paths, X = files
    expected = converter_scalars(X, 10)
    part = read_range(paths["h5"], 7, 19, 10, pid_features="weaver")
    np.testing.assert_array_equal(part.scalars.numpy(), expected[7:19])
    ranges = [FileRange(paths["h5"], "energyflow_npz", None, 0, 40)]
    sequential = SequentialJetStream(ranges, 10, 8, block_jets=16, pid_features="weaver")
    assert sequential.sample.num_scalars == 6
    streamed = torch.cat([jets.scalars for jets in sequential]).numpy()
    np.testing.assert_array_equal(streamed, expected)
    # the shuffled training stream and the capped validation's window reads
    training = JetStream(ranges, 10, 8, seed=0, block_jets=4, window_jets=16, interleave=1, pid_features="weaver")
    batch = next(iter(training))
    assert batch.scalars.shape[-1] == 6 and set(batch.scalars[..., 1:].sum(-1).unique().tolist()) <= {0.0, 1.0}
    capped = sequential.with_batches(8, max_batches=2)
    assert all(jets.scalars.shape[-1] == 6 for jets in capped)


def test_other_formats_keep_their_scalars_and_unknown_values_are_refused(tmp_path):
    weaver = ReadingOptions(pid_features="weaver")
    assert weaver.reader_keywords("lgn_h5", tmp_path / "x.h5") == {}
    assert weaver.reader_keywords("energyflow_npz", tmp_path / "x.h5") == {"pid_features": "weaver"}
    assert ReadingOptions().reader_keywords("energyflow_npz", tmp_path / "x.h5") == {}
    with pytest.raises(ValueError, match=r"pid_features='onehot': expected one of \['lorentznets', 'weaver'\]"):
        ReadingOptions(pid_features="onehot")
