"""The reading options: checked once on construction, cast from a config's mapping."""

from __future__ import annotations

import pytest

from lorentznets.data.readers import ReadingOptions


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
