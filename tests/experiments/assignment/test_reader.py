import re
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch
from assignment_test_utils import EVENT_FILE, write_spanet_file

from experiments.assignment.dataset import AssignmentDataset, load_assignment_splits
from experiments.assignment.reader import read_assignment_file
from lorentznets.assignment.topology import EventTopology
from lorentznets.lorentz import from_pt_eta_phi_m, invariant_mass, transverse_momentum


@pytest.fixture
def topology(spanet_file):
    return EventTopology.from_yaml(spanet_file.with_suffix(".yaml"))


def test_reads_spanet_layout_values_and_targets(spanet_file, topology):
    events = read_assignment_file(spanet_file, topology)
    with h5py.File(spanet_file) as handle:
        mask = handle["INPUTS/Source/MASK"][:]
        assert torch.equal(events.mask, torch.from_numpy(mask))
        # Features come in the event file's order, not the file's.
        assert events.feature_names == ("mass", "pt", "eta", "phi", "btag")
        assert np.array_equal(events.features[..., 1].numpy(), handle["INPUTS/Source/pt"][:])
        # Targets follow the event file's product order (q1, q2, b).
        assert np.array_equal(events.targets[1][:, 2].numpy(), handle["TARGETS/t2/b"][:])
    assert events.global_features.shape == (300, 0)
    assert len(read_assignment_file(spanet_file, topology, max_events=17)) == 17


def test_momenta_from_pt_eta_phi_mass(spanet_file, topology):
    dataset = AssignmentDataset(read_assignment_file(spanet_file, topology))
    real = dataset.events.mask
    features = dataset.events.features
    momenta = dataset.momenta.double()
    assert torch.allclose(transverse_momentum(momenta)[real], features[..., 1][real].double(), rtol=1e-5)
    # float32 storage costs mass precision for light, energetic jets.
    assert torch.allclose(invariant_mass(momenta)[real], features[..., 0][real].double(), rtol=1e-2, atol=0.1)
    expected = from_pt_eta_phi_m(features[..., [1, 2, 3, 0]].double()) * real[..., None]
    assert torch.allclose(momenta, expected, rtol=1e-6, atol=1e-4)
    assert (dataset.momenta[~real] == 0).all()
    batch = dataset.__getitems__([0, 1, 2])
    assert batch["mask"].shape[1] == int(real[:3].sum(1).max())


def test_random_split_is_disjoint_and_covers(spanet_file):
    cfg = {"path": str(spanet_file), "split_fractions": [0.8, 0.1, 0.1], "split_seed": 0, "generate": None}
    _, splits = load_assignment_splits(cfg)
    assert [len(s) for s in splits.values()] == [240, 30, 30]


def _copy_with(path: Path, tmp_path: Path, edit) -> Path:
    out = write_spanet_file(tmp_path / "bad.h5", num_events=40)
    with h5py.File(out, "a") as handle:
        edit(handle)
    return out


def _set(key, change):
    def edit(handle):
        values = handle[key][:]
        change(values)
        del handle[key]
        handle[key] = values

    return edit


def _kinematics(pt, eta, mass):
    """Set the stored (pt, eta, mass) of event 7's first jet."""

    def edit(handle):
        for key, value in (("pt", pt), ("eta", eta), ("mass", mass)):
            _set(f"INPUTS/Source/{key}", lambda v, value=value: v.__setitem__((7, 0), value))(handle)

    return edit


@pytest.mark.parametrize(
    ("edit", "error", "message"),
    [
        (lambda h: h.__delitem__("TARGETS/t1/b"), KeyError, "TARGETS/t1/b"),
        (lambda h: h.__delitem__("INPUTS/Source/btag"), KeyError, "INPUTS/Source/btag"),
        (_set("INPUTS/Source/eta", lambda v: v.__setitem__((3, 0), np.nan)), ValueError, "event 3, jet 0"),
        (_set("TARGETS/t2/q1", lambda v: v.__setitem__(5, 11)), ValueError, "event 5 points to jet 11"),
        (_set("TARGETS/t2/q1", lambda v: v.__setitem__(5, -3)), ValueError, "event 5 points to jet -3"),
        (
            _set("INPUTS/Source/MASK", lambda v: v.__setitem__((2, slice(None)), False)),
            ValueError,
            "event 2 has no real",
        ),
        (_set("INPUTS/Source/MASK", lambda v: v.__setitem__((4, 0), False)), ValueError, "real jet after a padding"),
        (_set("INPUTS/Source/pt", lambda v: None), None, None),
        (_set("INPUTS/Source/pt", lambda v: v.__setitem__((6, 1), -0.5)), ValueError, "pt is negative on 1 real"),
        (_kinematics(20.0, 0.0, -0.9), ValueError, r"mass is below -0.0316 E .*event 7, vector 0: pt=20, eta=0"),
        (_kinematics(20.0, 0.0, -0.2), None, None),
        (_kinematics(20.0, 800.0, 5.0), ValueError, "giving non-finite four-momenta .*event 7, vector 0"),
    ],
)
def test_bad_input_names_file_key_and_problem(tmp_path, edit, error, message):
    path = _copy_with(None, tmp_path, edit)
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    if error is None:
        read_assignment_file(path, topology)
        return
    with pytest.raises(error, match=message) as info:
        read_assignment_file(path, topology)
    assert str(path) in str(info.value)


def test_wrong_shape_and_shared_jet_and_missing_file(tmp_path):
    path = write_spanet_file(tmp_path / "bad.h5", num_events=40)
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    with h5py.File(path, "a") as handle:
        del handle["INPUTS/Source/phi"]
        handle["INPUTS/Source/phi"] = np.zeros((40, 3), np.float32)
    with pytest.raises(ValueError, match=r"INPUTS/Source/phi.*shape \(40, 3\), expected \(40, 10\)"):
        read_assignment_file(path, topology)
    path = write_spanet_file(tmp_path / "shared.h5", num_events=40)
    with h5py.File(path, "a") as handle:
        values = handle["TARGETS/t1/q2"][:]
        values[7] = handle["TARGETS/t1/q1"][7] if handle["TARGETS/t1/q1"][7] >= 0 else 0
        handle["TARGETS/t1/q1"][7] = values[7]
        del handle["TARGETS/t1/q2"]
        handle["TARGETS/t1/q2"] = values
    with pytest.raises(ValueError, match="event 7 assigns one jet to two partons"):
        read_assignment_file(path, topology)
    with pytest.raises(FileNotFoundError, match="nowhere.h5"):
        read_assignment_file(tmp_path / "nowhere.h5", topology)
    (tmp_path / "junk.h5").write_text("not hdf5")
    with pytest.raises(ValueError, match="junk.h5: cannot open as HDF5"):
        read_assignment_file(tmp_path / "junk.h5", topology)


def test_global_inputs_and_target_mask(tmp_path):
    path = write_spanet_file(tmp_path / "globals.h5", num_events=30)
    with h5py.File(path, "a") as handle:
        handle["INPUTS/Met/met"] = np.linspace(1.0, 100.0, 30).astype(np.float32)
        handle["TARGETS/t1/MASK"] = np.arange(30) % 2 == 0
    spec = EVENT_FILE.replace("  GLOBAL:", "  GLOBAL:\n    Met: {met: log_normalize}")
    path.with_suffix(".yaml").write_text(spec)
    events = read_assignment_file(path, EventTopology.from_yaml(path.with_suffix(".yaml")))
    assert events.global_names == ("Met/met",)
    assert torch.allclose(events.global_features[:, 0], torch.linspace(1.0, 100.0, 30))
    assert (events.targets[0][1::2] == -1).all()


def test_a_target_mask_of_other_values_than_0_and_1_is_refused(tmp_path):
    path = write_spanet_file(tmp_path / "halfmask.h5", num_events=30)
    with h5py.File(path, "a") as handle:
        handle["TARGETS/t1/MASK"] = np.where(np.arange(30) == 4, 0.5, 1.0)
    path.with_suffix(".yaml").write_text(EVENT_FILE)
    with pytest.raises(
        ValueError, match=r"halfmask\.h5: 'TARGETS/t1/MASK' must be boolean \(0/1\), got 0\.5 in event 4"
    ):
        read_assignment_file(path, EventTopology.from_yaml(path.with_suffix(".yaml")))


@pytest.mark.parametrize(
    ("sin", "cos", "refused"),
    [(0.0, 0.0, True), (0.3, 0.4, True), (0.6 * 1.005, 0.8 * 1.005, False), (0.6, 0.8, False)],
)
def test_an_azimuth_off_the_unit_circle_is_refused(tmp_path, sin, cos, refused):
    """sin_phi = cos_phi = 0 on a real jet became px = py = 0 with E from pt (mass 158.6 GeV for 15.8)."""
    path = write_spanet_file(tmp_path / "sincos.h5", num_events=40)
    path.with_suffix(".yaml").write_text(EVENT_FILE.replace("phi: normalize", "sin_phi: normalize, cos_phi: normalize"))
    with h5py.File(path, "a") as handle:
        phi = handle["INPUTS/Source/phi"][:]
        # padding keeps sin_phi = cos_phi = 0: only real jets are checked
        real = handle["INPUTS/Source/MASK"][:]
        sin_phi, cos_phi = np.sin(phi) * real, np.cos(phi) * real
        sin_phi[5, 1], cos_phi[5, 1] = sin, cos
        handle["INPUTS/Source/sin_phi"], handle["INPUTS/Source/cos_phi"] = sin_phi, cos_phi
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    if not refused:
        read_assignment_file(path, topology)
        return
    message = (
        f"{path}: INPUTS/Source/sin_phi,cos_phi is off the unit circle (|(sin_phi, cos_phi)| differs from 1 by more "
        f"than 0.01) on 1 real vector(s); first at event 5, vector 1: "
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        read_assignment_file(path, topology)
