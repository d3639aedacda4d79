import argparse

import pytest

from lorentznets.data.generate import quarkgluon, toptagging
from lorentznets.data.generate.jet_veto import JetVeto, VetoSettings, veto_from_settings
from lorentznets.data.generate.veto_check import check_veto


@pytest.mark.parametrize(
    ("dataset", "first_class", "n_events"),
    [("toptagging", True, 1000), ("toptagging", False, 1500), ("quarkgluon", True, 700), ("quarkgluon", False, 700)],
)
def test_veto_would_keep_every_accepted_jet(dataset, first_class, n_events):
    check = check_veto(dataset, first_class, n_events=n_events, seed=17)
    s = check.settings
    assert check.accepted.sum() >= 20
    assert check.lost_fraction == 0.0
    assert check.shower_pt[check.accepted].min() > s.pt_min - s.shower_margin
    assert check.parton_pt[check.accepted].min() > s.pt_min - s.parton_margin
    # The veto must also be worth having: it removes a good part of the events.
    assert check.vetoed.mean() > 0.2


@pytest.mark.parametrize("module", [toptagging, quarkgluon])
def test_settings_store_the_veto(module):
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    on = module.settings_from_args(parser.parse_args([]))
    off = module.settings_from_args(parser.parse_args(["--no-veto"]))
    assert off["veto"] is None and veto_from_settings(off["veto"]) is None
    veto = veto_from_settings(on["veto"])
    assert isinstance(veto, JetVeto)
    assert veto.settings == VetoSettings(**on["veto"])
    assert veto.settings.pt_min == on["pt_min"] and veto.settings.radius == on["jet_radius"]
