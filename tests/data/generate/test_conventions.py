"""A generated file is reused only where it follows the conventions the generator options ask for."""

import json
import shutil

import h5py
import numpy as np
import pytest

from lorentznets.data.generate.conventions import convention_differences, require_conventions
from lorentznets.data.generate.h5_writer import SETTINGS_ATTR


def test_same_conventions_with_other_sampling_settings(toptagging_file):
    assert convention_differences(toptagging_file, "toptagging") == []
    assert convention_differences(toptagging_file, "toptagging", ["--seed", "5", "--bias-power", "4"]) == []


def test_other_constituent_masses_or_cuts_differ(toptagging_file):
    differences = convention_differences(toptagging_file, "toptagging", ["--constituent-mass", "particle"])
    assert differences == ["constituent_mass: file has 'massless', the options ask for 'particle'"]
    differences = convention_differences(toptagging_file, "toptagging", ["--pt-min", "500", "--detector"])
    assert [line.split(":")[0] for line in differences] == ["pt_min", "detector"]
    with pytest.raises(ValueError, match=r"top.h5 was generated with other conventions.*pt_min: file has 550.0"):
        require_conventions(toptagging_file, "toptagging", ["--pt-min", "500"])


def test_file_from_before_the_mass_convention_differs(toptagging_file, tmp_path):
    path = shutil.copy(toptagging_file, tmp_path / "old.h5")
    with h5py.File(path, "r+") as file:
        settings = json.loads(file.attrs[SETTINGS_ATTR])
        del settings["constituent_mass"]
        file.attrs[SETTINGS_ATTR] = json.dumps(settings, sort_keys=True)
    assert convention_differences(path, "toptagging") == [
        "constituent_mass: file has none (written before it was recorded), the options ask for 'massless'"
    ]


def test_file_of_another_generator_differs(toptagging_file):
    differences = convention_differences(toptagging_file, "quarkgluon")
    assert differences[0] == (
        "generator: file has 'lorentznets.data.generate.toptagging', the options ask for "
        "'lorentznets.data.generate.quarkgluon'"
    )


def test_files_without_recorded_conventions_have_no_differences(tmp_path):
    public = tmp_path / "public.h5"
    with h5py.File(public, "w") as file:
        file["Pmu"] = np.zeros((1, 2, 4))
    np.save(tmp_path / "zg.npy", np.zeros((2, 3)))
    for path in (public, tmp_path / "zg.npy", tmp_path / "missing.h5"):
        assert convention_differences(path, "toptagging", ["--constituent-mass", "particle"]) == []


def test_rejected_option_is_a_clear_error(toptagging_file):
    with pytest.raises(ValueError, match=r"the toptagging generator rejected its options \['--bogus'\]"):
        convention_differences(toptagging_file, "toptagging", ["--bogus"])


def test_another_collision_energy_differs(toptagging_file):
    assert convention_differences(toptagging_file, "toptagging", ["--ecm", "13000"]) == [
        "ecm: file has 14000.0, the options ask for 13000.0"
    ]


def test_ttbar_files_are_checked(ttbar_file):
    assert convention_differences(ttbar_file, "ttbar", ["--seed", "3", "--n", "10"]) == []
    differences = convention_differences(ttbar_file, "ttbar", ["--radius", "0.6", "--jet-pt-min", "40"])
    assert [line.split(":")[0] for line in differences] == ["jet_radius", "jet_pt_min"]
    assert convention_differences(ttbar_file, "ttbar", ["--decay", "semileptonic"])[0].startswith("decay:")
