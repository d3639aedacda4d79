"""The reading options: checked once on construction, cast from a config's mapping."""

from __future__ import annotations

import pytest
import torch

from lorentznets.data.readers import FileRange, JetStream, ReadingOptions, SequentialJetStream, load_jets

from .jet_files import write_energyflow_h5
from .test_energyflow_npz_reader import quark_gluon_jets


def test_cast_takes_a_mapping_of_field_names_or_the_options_themselves():
    options = ReadingOptions.cast({"constituent_mass": "massless", "pid_features": "weaver"})
    assert options == ReadingOptions(False, "massless", "weaver")
    assert ReadingOptions.cast(options) is options
    with pytest.raises(ValueError, match=r"reading options \['features'\] are unknown; expected some of"):
        ReadingOptions.cast({"features": "weaver"})


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"impact_parameters": "yes"}, r"impact_parameters='yes': expected True or False"),
        ({"constituent_mass": "zero"}, r"constituent_mass='zero': expected one of \['pdg', 'massless'\]"),
        ({"pid_features": "onehot"}, r"pid_features='onehot': expected one of \['lorentznets', 'weaver'\]"),
    ],
)
def test_bad_options_are_refused_on_construction(keywords, message):
    with pytest.raises(ValueError, match=message):
        ReadingOptions(**keywords)


def test_each_reader_gets_only_the_options_it_has(tmp_path):
    options = ReadingOptions(True, "pdg", "weaver")
    assert options.reader_keywords("jetclass_root", tmp_path / "a.root") == {"impact_parameters": True}
    assert options.reader_keywords("energyflow_npz", tmp_path / "q.h5") == {
        "impact_parameters": True,
        "pid_features": "weaver",
    }
    with pytest.raises(ValueError, match=r"t\.h5: constituent_mass='massless' applies to EnergyFlow"):
        ReadingOptions(constituent_mass="massless").reader_keywords("lgn_h5", tmp_path / "t.h5")


def test_resolve_takes_the_object_or_the_keywords_not_both():
    weaver = ReadingOptions(pid_features="weaver")
    assert ReadingOptions.resolve(weaver, impact_parameters=None, pid_features=None) is weaver
    assert ReadingOptions.resolve(None, constituent_mass="massless", pid_features=None) == ReadingOptions(
        constituent_mass="massless"
    )
    with pytest.raises(ValueError, match=r"reading options given twice: .* the keywords \['pid_features'\]"):
        ReadingOptions.resolve(weaver, pid_features="weaver")


def test_load_jets_and_the_streams_take_the_options_as_one_object(tmp_path):
    """``reading=`` reads as the keywords it stands for (here the non-default massless weaver
    jets), and either refuses both at once."""
    X, y = quark_gluon_jets(n_jets=24, seed=3)
    path = write_energyflow_h5(tmp_path / "qg.h5", X, y)
    reading = ReadingOptions(constituent_mass="massless", pid_features="weaver")
    keywords = {"constituent_mass": "massless", "pid_features": "weaver"}
    by_object, by_keywords = (
        load_jets(path, max_particles=10, reading=reading),
        load_jets(path, max_particles=10, **keywords),
    )
    assert by_object.scalars.shape[-1] == 6
    assert torch.equal(by_object.momenta, by_keywords.momenta) and torch.equal(by_object.scalars, by_keywords.scalars)
    assert not torch.equal(by_object.momenta, load_jets(path, max_particles=10).momenta)
    ranges = [FileRange(path, "energyflow_npz", None, 0, 24)]
    sequential = SequentialJetStream(ranges, 10, 8, block_jets=8, reading=reading)
    assert sequential.reading is reading and sequential.with_batches(4).reading is reading
    assert torch.equal(torch.cat([jets.momenta for jets in sequential]), by_object.momenta)
    training = JetStream(ranges, 10, 8, 0, block_jets=4, window_jets=8, interleave=1, reading=reading)
    assert next(iter(training)).scalars.shape[-1] == 6
    with pytest.raises(ValueError, match=r"reading options given twice"):
        load_jets(path, max_particles=10, reading=reading, pid_features="weaver")
    with pytest.raises(ValueError, match=r"reading options given twice"):
        SequentialJetStream(ranges, 10, 8, reading=reading, constituent_mass="massless")
    with pytest.raises(ValueError, match=r"reading options given twice"):
        JetStream(ranges, 10, 8, 0, window_jets=8, interleave=1, reading=reading, impact_parameters=False)
