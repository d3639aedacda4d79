"""Which features give four-momenta, the four-momenta themselves and the joined feature layout."""

import math

import pytest
import torch

from lorentznets.assignment.input_layout import four_momenta, kinematic_columns, vector_layout
from lorentznets.assignment.topology import EventTopology
from lorentznets.lorentz import from_pt_eta_phi_m


def test_kinematic_columns_rules():
    columns = kinematic_columns(["mass", "pt", "eta", "sin_phi", "cos_phi", "btag"])
    assert (columns.sin_phi, columns.cos_phi, columns.phi, columns.mass) == ("sin_phi", "cos_phi", None, "mass")
    assert kinematic_columns(["pt", "eta", "phi", "energy"]).energy == "energy"
    # MET with magnitude and angle only, or jets without eta: no four-momentum.
    assert kinematic_columns(["met", "sin_phi", "cos_phi"]) is None
    assert kinematic_columns(["pt", "phi"]) is None
    for features, message in (
        (["pt", "eta", "sin_phi"], "both sin_phi and cos_phi"),
        (["pt", "eta", "phi", "sin_phi", "cos_phi"], "not both"),
        (["pt", "eta", "phi", "mass", "energy"], "one of the mass or the energy"),
    ):
        with pytest.raises(ValueError, match=message):
            kinematic_columns(features, "INPUTS/Jets")


def test_four_momenta_from_phi_or_its_sine_and_cosine():
    gen = torch.Generator().manual_seed(0)
    pt = 20 + 100 * torch.rand(50, generator=gen, dtype=torch.float64)
    eta = 5 * torch.rand(50, generator=gen, dtype=torch.float64) - 2.5
    phi = 2 * math.pi * torch.rand(50, generator=gen, dtype=torch.float64) - math.pi
    mass = 10 * torch.rand(50, generator=gen, dtype=torch.float64)
    expected = from_pt_eta_phi_m(torch.stack([pt, eta, phi, mass], -1))
    values = {"pt": pt, "eta": eta, "phi": phi, "mass": mass}
    assert torch.allclose(four_momenta(values, kinematic_columns(list(values))), expected, rtol=1e-12)
    # Sine and cosine off the unit circle (float32 storage): scaled back onto it.
    values = {"pt": pt, "eta": eta, "sin_phi": 1.01 * torch.sin(phi), "cos_phi": 1.01 * torch.cos(phi), "mass": mass}
    assert torch.allclose(four_momenta(values, kinematic_columns(list(values))), expected, rtol=1e-12)
    values = {"pt": pt, "eta": eta, "phi": phi, "energy": expected[:, 0]}
    assert torch.allclose(four_momenta(values, kinematic_columns(list(values))), expected, rtol=1e-12)
    massless = four_momenta({"pt": pt, "eta": eta, "phi": phi}, kinematic_columns(["pt", "eta", "phi"]))
    assert torch.allclose(
        massless[:, 0] ** 2 - (massless[:, 1:] ** 2).sum(-1), torch.zeros(50, dtype=torch.float64), atol=1e-8
    )


def test_layout_of_one_and_of_several_inputs(ttbar_topology):
    single = vector_layout(ttbar_topology)
    assert single.names == ("mass", "pt", "eta", "phi", "btag") and single.num_flags == 0
    spec = {
        "INPUTS": {"SEQUENTIAL": {"Jets": {"pt": "log", "btag": "none"}, "Met": {"met": "log_normalize"}}},
        "EVENT": {"t": ["b"]},
    }
    layout = vector_layout(EventTopology.from_dict(spec))
    assert layout.names == ("Jets", "Met", "Jets/pt", "Jets/btag", "Met/met")
    assert layout.transforms == ("none", "none", "log", "none", "log_normalize")
    assert layout.owner == (-1, -1, 0, 0, 1) and layout.num_flags == 2
    assert layout.features == ("Jets", "Met", "pt", "btag", "met")
