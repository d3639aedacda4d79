"""The semi-leptonic ttbar mode of the generator: SPANet layout with jets, leptons, MET and the
neutrino, read back by the assignment reader."""

import h5py
import numpy as np
import pytest
import yaml

from experiments.assignment.reader import read_assignment_file
from lorentznets.assignment.topology import EventTopology
from lorentznets.data.generate.cli import main


@pytest.fixture(scope="module")
def semileptonic_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ttbar_semileptonic") / "semi.h5"
    main(["ttbar", "--decay", "semileptonic", "--n", "80", "--chunk-size", "40", "--seed", "3", "--out", str(path)])
    return path


def test_jets_leptons_met_and_targets(semileptonic_file):
    with h5py.File(semileptonic_file) as f:
        jets, leptons = f["INPUTS/Jets/MASK"][:], f["INPUTS/Leptons/MASK"][:]
        assert jets.shape == (80, 16) and leptons.shape == (80, 2)
        assert jets.sum(1).min() >= 4 and leptons[:, 0].all()
        lepton_pt = f["INPUTS/Leptons/pt"][:]
        assert (lepton_pt[leptons] > 25).all() and (np.abs(f["INPUTS/Leptons/eta"][:][leptons]) < 2.5).all()
        # W- -> l- nubar: the charged lepton from the W is negative; muons and electrons both occur.
        assert 0.2 < f["INPUTS/Leptons/muon"][:, 0].mean() < 0.8
        targets = np.stack([f[f"TARGETS/{k}"][:] for k in ("t1/q1", "t1/q2", "t1/b", "t2/b")], 1)
        assert np.all((targets >= -1) & (targets < jets.sum(1)[:, None]))
        assert 0.2 < (targets >= 0).all(1).mean() < 0.8
        nu = f["TRUTH/t2/nu"][:]
        assert np.allclose(f["REGRESSIONS/EVENT/neutrino_pz"][:], nu[:, 3])
        met = f["INPUTS/Met/met"][:]
        cos, sin = f["INPUTS/Met/cos_phi"][:], f["INPUTS/Met/sin_phi"][:]
        assert np.allclose(cos**2 + sin**2, 1.0, atol=1e-5)
        # MET is the summed neutrino pT: the W's neutrino dominates it.
        assert np.corrcoef(met * cos, nu[:, 1])[0, 1] > 0.9
        top = f["TRUTH/t2/t"][:].astype(np.float64)
        assert np.median(np.sqrt(top[:, 0] ** 2 - (top[:, 1:] ** 2).sum(1))) == pytest.approx(172.5, abs=3)
        # The lepton of the W is the hardest selected lepton in most events.
        true_l = f["TRUTH/t2/l"][:]
        assert np.median(lepton_pt[:, 0] / np.hypot(true_l[:, 1], true_l[:, 2])) == pytest.approx(1.0, abs=0.05)


def test_event_file_reads_with_the_assignment_reader(semileptonic_file):
    spec = yaml.safe_load(semileptonic_file.with_suffix(".yaml").read_text())
    assert spec["EVENT"] == {"t1": ["q1", "q2", "b"], "t2": ["b"]}
    topology = EventTopology.from_yaml(semileptonic_file.with_suffix(".yaml"))
    events = read_assignment_file(semileptonic_file, topology)
    assert [t.shape[1] for t in events.targets] == [3, 1]
    assert events.feature_names[:2] == ("Jets", "Leptons")
    # Only jets are targets: the multiplicity bins count jets, not the leptons.
    with h5py.File(semileptonic_file) as f:
        assert np.array_equal(events.multiplicity.numpy(), f["INPUTS/Jets/MASK"][:].sum(1))
    assert events.regression_names == ("EVENT/neutrino_px", "EVENT/neutrino_py", "EVENT/neutrino_pz")
    assert not (semileptonic_file.parent / "semi_eventgen").exists()


@pytest.mark.slow
def test_tth_with_higgs_to_bb_has_particles_of_three_one_and_two_jets(tmp_path):
    """Semi-leptonic ttH, H -> b bbar (about 35 s on a loaded 2-core machine: Pythia ttH events
    with six jets)."""
    path = tmp_path / "tth.h5"
    options = ["--decay", "semileptonic", "--higgs", "--n", "30", "--chunk-size", "30", "--seed", "4"]
    main(["ttbar", *options, "--out", str(path)])
    with h5py.File(path) as f:
        higgs = f["TRUTH/h/h"][:].astype(np.float64)
        assert np.allclose(np.sqrt(higgs[:, 0] ** 2 - (higgs[:, 1:] ** 2).sum(1)), 125.0, atol=0.5)
        assert f["INPUTS/Jets/MASK"][:].sum(1).min() >= 6
        b_jets = np.stack([f["TARGETS/h/b1"][:], f["TARGETS/h/b2"][:]], 1)
    assert (b_jets >= 0).all(1).mean() > 0.3
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    assert topology.particle_names == ("t1", "t2", "h") and topology.num_products == 6
    events = read_assignment_file(path, topology)
    assert [t.shape[1] for t in events.targets] == [3, 1, 2]
