"""Several SEQUENTIAL inputs, sin_phi/cos_phi, MET as a global input, a target in the lepton
input: the reader, the wrappers and the load-time checks on a hand-built SPANet-layout file."""

import re

import h5py
import numpy as np
import pytest
import torch
from assignment_test_utils import SEMILEPTONIC_EVENT_FILE, write_semileptonic_file

from experiments.assignment.dataset import AssignmentDataset
from experiments.assignment.reader import read_assignment_file
from experiments.registry import get_wrapper
from lorentznets.assignment.topology import EventTopology
from lorentznets.lorentz import from_pt_eta_phi_m
from lorentznets.testing import assert_invariant


@pytest.fixture
def topology(semileptonic_file):
    return EventTopology.from_yaml(semileptonic_file.with_suffix(".yaml"))


def test_inputs_are_joined_packed_and_targets_follow(semileptonic_file, topology):
    events = read_assignment_file(semileptonic_file, topology)
    assert events.feature_names[:2] == ("Jets", "Leptons")
    assert events.feature_names[2:8] == (
        "Jets/mass",
        "Jets/pt",
        "Jets/eta",
        "Jets/sin_phi",
        "Jets/cos_phi",
        "Jets/btag",
    )
    assert events.global_names == ("Met/met", "Met/sin_phi", "Met/cos_phi")
    with h5py.File(semileptonic_file) as handle:
        jets, leptons = handle["INPUTS/Jets/MASK"][:], handle["INPUTS/Leptons/MASK"][:]
        num_jets = jets.sum(1)
        # Packed per event: real jets, then real leptons, then padding.
        assert torch.equal(events.mask.sum(1), torch.from_numpy(num_jets + leptons.sum(1)))
        # Both inputs hold targets (lt/l is a lepton): the multiplicity bins count both.
        assert torch.equal(events.multiplicity, events.mask.sum(1))
        assert not (events.mask[:, 1:] & ~events.mask[:, :-1]).any()
        flags = events.features[..., :2]
        slot = torch.arange(events.mask.shape[1])
        assert torch.equal(flags[..., 0] == 1, slot[None, :] < torch.from_numpy(num_jets)[:, None])
        assert torch.equal(flags.sum(-1) == 1, events.mask)
        # A lepton target points at the packed lepton slot, behind the event's jets.
        lepton = handle["TARGETS/lt/l"][:]
        has = lepton >= 0
        expected = np.where(has, lepton + num_jets, -1)
        assert np.array_equal(events.targets[1][:, 1].numpy(), expected)
        rows = np.flatnonzero(has)
        lepton_pt = handle["INPUTS/Leptons/pt"][:][rows, lepton[rows]]
        column = events.feature_names.index("Leptons/pt")
        assert np.allclose(events.features[rows, expected[rows], column].numpy(), lepton_pt)
        # Jet columns are zero on lepton slots and the other way round.
        assert (events.features[rows, expected[rows], events.feature_names.index("Jets/pt")] == 0).all()
        # Four-momenta from sin_phi/cos_phi equal those from the true phi.
        pt, eta = handle["INPUTS/Jets/pt"][:], handle["INPUTS/Jets/eta"][:]
        phi, mass = handle["INPUTS/Jets/phi"][:], handle["INPUTS/Jets/mass"][:]
    truth = from_pt_eta_phi_m(torch.from_numpy(np.stack([pt, eta, phi, mass], -1)).double())
    first = torch.from_numpy(jets)
    assert torch.allclose(events.momenta[:, : jets.shape[1]][first].double(), truth[first], rtol=1e-5, atol=1e-3)
    assert (events.momenta[~events.mask] == 0).all()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace("sin_phi: normalize, cos_phi: normalize, btag", "sin_phi: normalize, btag"), "sin_phi"),
        (lambda s: s.replace("lt: [b, {l: Leptons}]", "lt: [b, {l: Muons}]"), "points to input 'Muons'"),
        (lambda s: s.replace("ht: [q1, q2, b]", "ht: [q1, q2, b, q3]"), "TARGETS/ht/q3"),
    ],
)
def test_event_file_against_data_file_fails_at_load(tmp_path, edit, message):
    path = write_semileptonic_file(tmp_path / "events.h5", num_events=30)
    path.with_suffix(".yaml").write_text(edit(SEMILEPTONIC_EVENT_FILE))
    with pytest.raises((KeyError, ValueError), match=message):
        read_assignment_file(path, EventTopology.from_yaml(path.with_suffix(".yaml")))


@pytest.mark.parametrize(
    ("sin", "cos", "refused"),
    [(0.0, 0.0, True), (0.3, 0.4, True), (0.6 * 1.005, 0.8 * 1.005, False), (0.6, 0.8, False)],
)
def test_a_global_azimuth_off_the_unit_circle_is_refused(tmp_path, sin, cos, refused):
    """MET's sin_phi = cos_phi = 0 reached the models as it was stored (jets' were refused already);
    MET itself may be 0, as in event 9 here: only the direction's length is checked."""
    path = write_semileptonic_file(tmp_path / "events.h5", num_events=30)
    with h5py.File(path, "a") as handle:
        for feature, value in (("met", 0.0), ("sin_phi", sin), ("cos_phi", cos)):
            values = handle[f"INPUTS/Met/{feature}"][:]
            values[9] = value
            handle[f"INPUTS/Met/{feature}"][...] = values
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    if not refused:
        events = read_assignment_file(path, topology)
        assert events.global_features[9, events.global_names.index("Met/met")] == 0
        return
    message = (
        f"{path}: INPUTS/Met/sin_phi,cos_phi is off the unit circle (|(sin_phi, cos_phi)| differs from 1 by more "
        f"than 0.01) in 1 event(s); first at event 9: met=0, sin_phi={sin:.6g}, cos_phi={cos:.6g}"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        read_assignment_file(path, topology)


def test_lepton_index_out_of_range_and_never_matched_particle(tmp_path):
    path = write_semileptonic_file(tmp_path / "events.h5", num_events=30)
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    with h5py.File(path, "a") as handle:
        values = handle["TARGETS/lt/l"][:]
        values[4] = 2
        del handle["TARGETS/lt/l"]
        handle["TARGETS/lt/l"] = values
    with pytest.raises(ValueError, match=r"event 4 points to jet 2, .* real vectors in INPUTS/Leptons"):
        read_assignment_file(path, topology)
    with h5py.File(path, "a") as handle:
        del handle["TARGETS/lt/l"]
        handle["TARGETS/lt/l"] = np.full(30, -1, np.int64)
    with pytest.raises(ValueError, match=r"TARGETS/lt: no event has all of \['b', 'l'\] matched"):
        read_assignment_file(path, topology)


def test_wrappers_on_two_inputs(semileptonic_file, topology):
    events = read_assignment_file(semileptonic_file, topology, 32)
    batch = AssignmentDataset(events).__getitems__(list(range(8)))
    nets = {"transformer": {"hidden_channels": 8, "num_blocks": 1, "num_heads": 2}}
    nets["gatr"] = {
        "num_blocks": 1,
        "hidden_mv_channels": 4,
        "hidden_s_channels": 8,
        "attention": {"num_heads": 2},
        "mlp": {},
    }
    for name, net in nets.items():
        torch.manual_seed(0)
        model = get_wrapper("assignment", name)(
            net=net, topology=topology, invariant_features=["mass", "btag", "etag"], features=8, rank=4
        )
        model.fit_normalization(events.features, events.mask, events.global_features)
        model.fit_regression_statistics(events.regressions)
        log_probs, detection, (regressions, _) = model(
            batch["features"], batch["momenta"], batch["mask"], batch["global_features"]
        )
        assert [tuple(lp.shape[1:]) for lp in log_probs] == [
            (batch["mask"].shape[1],) * 3,
            (batch["mask"].shape[1],) * 2,
        ]
        assert detection.shape == (8, 2) and regressions.shape == (8, 4)
        assert all(torch.isfinite(lp).any(dim=tuple(range(1, lp.dim()))).all() for lp in log_probs)
    # Flags and each input's statistics: the jet pt normalisation ignores lepton slots.
    column = events.feature_names.index("Jets/pt")
    jets = events.mask & (events.features[..., 0] == 1)
    logged = torch.log1p(events.features[..., column][jets].double())
    assert torch.isclose(model.feature_transform.mean[column].double(), logged.mean(), rtol=1e-5)


def test_lgatr_assignment_invariant_with_two_inputs(semileptonic_file, topology):
    """Lorentz invariance of the assignment for fixed (scalar) features: sin_phi/cos_phi and
    the other non-invariant features never reach the equivariant backbone."""
    events = read_assignment_file(semileptonic_file, topology, 16)
    batch = AssignmentDataset(events).__getitems__(list(range(4)))
    net = {"num_blocks": 1, "hidden_mv_channels": 4, "hidden_s_channels": 8, "attention": {"num_heads": 2}, "mlp": {}}
    torch.manual_seed(0)
    model = get_wrapper("assignment", "gatr")(
        net=net, topology=topology, invariant_features=["mass", "btag", "etag"], features=8, rank=4
    )
    model.fit_normalization(events.features, events.mask, events.global_features)
    model = model.double().eval()
    mask, features, globals_ = batch["mask"], batch["features"].double(), batch["global_features"].double()

    def assignment(momenta):
        log_probs, _, _ = model(features, momenta * mask[..., None], mask, globals_)
        return [torch.where(torch.isfinite(lp), lp, torch.zeros_like(lp)) for lp in log_probs]

    assert_invariant(assignment, (batch["momenta"].double(),), ("vector",), max_rapidity=2.0)


def test_met_as_a_sequential_input_without_kinematics(tmp_path):
    """MET stored as a one-vector SEQUENTIAL input (magnitude and angle only): zero four-momentum."""
    path = write_semileptonic_file(tmp_path / "events.h5", num_events=30)
    with h5py.File(path, "a") as handle:
        handle["INPUTS/MetVector/MASK"] = np.ones((30, 1), bool)
        for feature in ("met", "sin_phi", "cos_phi"):
            handle[f"INPUTS/MetVector/{feature}"] = handle[f"INPUTS/Met/{feature}"][:][:, None]
    text = SEMILEPTONIC_EVENT_FILE.replace(
        "  GLOBAL:", "    MetVector: {met: log_normalize, sin_phi: none, cos_phi: none}\n  GLOBAL:"
    )
    path.with_suffix(".yaml").write_text(text)
    events = read_assignment_file(path, EventTopology.from_yaml(path.with_suffix(".yaml")))
    met_slot = events.features[..., events.feature_names.index("MetVector")] == 1
    assert torch.equal(met_slot.sum(1), torch.ones(30, dtype=torch.long))
    assert (events.momenta[met_slot] == 0).all() and (events.momenta[events.mask & ~met_slot] != 0).any(-1).all()
    # MET is an input only: the multiplicity bins count jets and leptons (the inputs with targets).
    assert torch.equal(events.multiplicity, events.mask.sum(1) - 1)
