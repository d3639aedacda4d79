"""Tests of the simple detector simulation on real Pythia events and on synthetic particles."""

from __future__ import annotations

import dataclasses
import json

import awkward as ak
import numpy as np
import pytest
import vector

from lorentznets.data.generate.clustering import cluster_antikt
from lorentznets.data.generate.detector import (
    DetectorSettings,
    calorimeter_resolution,
    particle_charge,
    simulate_detector,
    track_resolution,
)
from lorentznets.data.generate.kinematics import delta_r, from_pt_eta_phi_m
from lorentznets.data.generate.pythia_session import make_pythia, next_batch, visible_final_state

vector.register_awkward()

PERFECT_CALORIMETER = dataclasses.replace(
    DetectorSettings(),
    ecal_stochastic=0.0,
    ecal_constant=0.0,
    hcal_stochastic=0.0,
    hcal_constant=0.0,
    forward_stochastic=0.0,
    forward_constant=0.0,
)


def _events(rows: list[list[tuple[float, float, float, float, int]]]) -> ak.Array:
    """Momentum4D records from per-event lists of (pT [GeV], eta, phi, mass [GeV], PDG id)."""
    counts = [len(row) for row in rows]
    values = np.array([particle for row in rows for particle in row], dtype=np.float64).reshape(-1, 5)
    energy, px, py, pz = np.moveaxis(from_pt_eta_phi_m(values[:, :4]), -1, 0)
    flat = ak.zip(
        {"px": px, "py": py, "pz": pz, "E": energy, "id": values[:, 4].astype(np.int32)}, with_name="Momentum4D"
    )
    return ak.unflatten(flat, counts)


def _is_tower(ids: ak.Array) -> ak.Array:
    """Towers carry id 22 or 130, which no track has."""
    return (ids == 22) | (ids == 130)


def _single_particle_events(n: int, pt: float, eta: float, mass: float, pdg_id: int) -> ak.Array:
    """``n`` events with one particle each, at phi in the middle of a tower."""
    return _events([[(pt, eta, 0.5 * 2 * np.pi / 64, mass, pdg_id)]] * n)


@pytest.fixture(scope="module")
def qcd_events():
    pythia = make_pythia(["Beams:eCM = 14000", "HardQCD:all = on", "PhaseSpace:pTHatMin = 500"], seed=1)
    particles = visible_final_state(next_batch(pythia, 60).prt)
    charge = particle_charge(particles.id)
    objects = simulate_detector(particles, charge, np.random.default_rng(7), DetectorSettings())
    return particles, charge, objects


def test_energy_within_acceptance_is_kept(qcd_events):
    particles, _, objects = qcd_events
    accepted = particles[np.abs(particles.eta) < 4.9]
    ratio = ak.to_numpy(ak.sum(objects.E, axis=1) / ak.sum(accepted.E, axis=1))
    assert abs(ratio.mean() - 1) < 0.02
    assert np.all(np.abs(ratio - 1) < 0.15)
    assert ak.max(np.abs(objects.eta)) < 4.9


def test_tracks_are_charged_particles_in_the_tracker(qcd_events):
    particles, charge, objects = qcd_events
    tracks = objects[~_is_tower(objects.id)]
    assert ak.sum(ak.num(tracks)) > 1000
    assert ak.all(np.abs(tracks.eta) < 2.5)
    assert ak.all(particle_charge(tracks.id) != 0)
    # Each track has the direction and id of a charged particle above the pT threshold.
    candidates = particles[(charge != 0) & (particles.pt > 0.5)]
    pairs = ak.cartesian({"track": tracks, "particle": candidates}, axis=1, nested=True)
    same = (
        (pairs.track.id == pairs.particle.id)
        & (np.abs(pairs.track.eta - pairs.particle.eta) < 1e-9)
        & (np.abs(pairs.track.phi - pairs.particle.phi) < 1e-9)
    )
    assert ak.all(ak.any(same, axis=2))
    mass_squared = pairs.particle.E**2 - pairs.particle.p**2
    track_mass_squared = pairs.track.E**2 - pairs.track.p**2
    tolerance = 1e-12 * (1 + pairs.track.E**2)
    assert ak.all(ak.all(~same | (np.abs(track_mass_squared - mass_squared) < tolerance), axis=2))


def test_towers_lie_on_the_grid_and_are_massless(qcd_events):
    _, _, objects = qcd_events
    towers = ak.flatten(objects[_is_tower(objects.id)])
    assert len(towers) > 1000
    eta, phi, energy = ak.to_numpy(towers.eta), ak.to_numpy(towers.phi), ak.to_numpy(towers.E)
    central = np.abs(eta) < 2.5
    eta_index = np.where(central, (eta + 2.5) / 0.1, (np.abs(eta) - 2.5) / 0.2) - 0.5
    phi_index = (phi + np.pi) / (2 * np.pi / np.where(central, 64, 32)) - 0.5
    np.testing.assert_allclose(eta_index, np.round(eta_index), atol=1e-6)
    np.testing.assert_allclose(phi_index, np.round(phi_index), atol=1e-6)
    np.testing.assert_allclose(ak.to_numpy(towers.p), energy, rtol=1e-12)
    assert np.all(energy > 0.5)
    assert np.any(~central)


def test_objects_are_sorted_by_decreasing_pt(qcd_events):
    _, _, objects = qcd_events
    pt = objects.pt
    assert ak.all(pt[:, :-1] >= pt[:, 1:])


def test_leading_jet_response(qcd_events):
    particles, _, objects = qcd_events
    truth, _ = cluster_antikt(particles, 0.8, 100.0)
    reco, _ = cluster_antikt(objects, 0.8, 100.0)
    leading = truth[:, 0]
    distance = delta_r(leading.eta, leading.phi, reco.eta, reco.phi)
    nearest = reco[ak.argmin(distance, axis=1, keepdims=True)][:, 0]
    assert ak.all(delta_r(leading.eta, leading.phi, nearest.eta, nearest.phi) < 0.2)
    ratio = ak.to_numpy(nearest.pt / leading.pt)
    assert abs(ratio.mean() - 1) < 0.03
    assert np.all(np.abs(ratio - 1) < 0.1)


def test_reproducible_for_a_seed(qcd_events):
    particles, charge, objects = qcd_events
    again = simulate_detector(particles, charge, np.random.default_rng(7), DetectorSettings())
    other = simulate_detector(particles, charge, np.random.default_rng(8), DetectorSettings())
    assert ak.to_list(again) == ak.to_list(objects)
    assert ak.to_list(other) != ak.to_list(objects)


@pytest.mark.parametrize("eta", [0.3, 2.0])
def test_track_resolution_has_the_configured_width(eta):
    settings = dataclasses.replace(DetectorSettings(), track_efficiency_barrel=1.0, track_efficiency_endcap=1.0)
    particles = _single_particle_events(20000, 100.0, eta, 0.13957, 211)
    objects = simulate_detector(particles, particle_charge(particles.id), np.random.default_rng(3), settings)
    assert ak.all(ak.num(objects) == 1) and ak.all(objects.id == 211)
    ratio = ak.to_numpy(ak.flatten(objects.pt)) / 100.0
    expected = track_resolution(np.array([100.0]), np.array([eta]), settings)[0]
    barrel = eta < settings.barrel_eta_max
    a, b = (0.01, 5e-4) if barrel else (0.02, 1e-3)
    assert expected == pytest.approx(np.hypot(a, b * 100.0))
    assert ratio.std() == pytest.approx(expected, rel=0.03)
    assert ratio.mean() == pytest.approx(1.0, abs=3 * expected / np.sqrt(len(ratio)))


@pytest.mark.parametrize(("eta", "efficiency"), [(0.5, 0.95), (2.0, 0.85)])
def test_track_efficiency(eta, efficiency):
    particles = _single_particle_events(20000, 20.0, eta, 0.13957, -211)
    objects = simulate_detector(particles, particle_charge(particles.id), np.random.default_rng(4))
    tracked = ak.to_numpy(ak.flatten(objects.id == -211))
    assert tracked.mean() == pytest.approx(efficiency, abs=0.01)
    # The lost pions are in the HCAL instead, one tower each.
    assert ak.all(ak.num(objects) == 1)
    assert set(np.unique(ak.to_numpy(ak.flatten(objects.id)))) == {-211, 130}


@pytest.mark.parametrize(
    ("pdg_id", "eta", "stochastic", "constant"),
    [(22, 0.05, 0.10, 0.007), (2112, 1.05, 0.50, 0.03), (22, 4.0, 1.00, 0.10), (2112, -3.8, 1.00, 0.10)],
)
def test_calorimeter_resolution_has_the_configured_width(pdg_id, eta, stochastic, constant):
    energy = 100.0
    pt = energy / np.cosh(eta)
    particles = _single_particle_events(20000, pt, eta, 0.0, pdg_id)
    objects = simulate_detector(particles, particle_charge(particles.id), np.random.default_rng(5))
    assert ak.all(ak.num(objects) == 1)
    measured = ak.to_numpy(ak.flatten(objects.E))
    sigma = calorimeter_resolution(np.array(energy), stochastic, constant)
    assert sigma == pytest.approx(energy * np.hypot(stochastic / np.sqrt(energy), constant))
    assert measured.std() == pytest.approx(sigma, rel=0.03)
    assert measured.mean() == pytest.approx(energy, abs=3 * sigma / np.sqrt(len(measured)))
    assert set(np.unique(ak.to_numpy(ak.flatten(objects.id)))) == {22 if pdg_id == 22 else 130}


def test_deposits_sum_per_cell_into_towers():
    phi = 0.5 * 2 * np.pi / 64
    rows = [
        # Two photons in one cell: one tower with the summed energy at the cell centre.
        [(10.0, 0.02, phi - 0.01, 0.0, 22), (5.0, 0.08, phi + 0.02, 0.0, 22)],
        # A photon and a larger neutron deposit in one cell: a neutral-hadron tower.
        [(3.0, 0.02, phi, 0.0, 22), (8.0, 0.03, phi, 0.93957, 2112)],
        # Photons in neighbouring cells stay apart; one below threshold vanishes.
        [(10.0, 0.05, phi, 0.0, 22), (4.0, 0.15, phi, 0.0, 22), (0.3, -1.0, phi, 0.0, 22)],
        # A charged pion outside the tracker is a tower; a muon there and anything beyond 4.9 are lost.
        [(20.0, 2.65, phi, 0.13957, 211), (20.0, 2.65, 1.0, 0.10566, 13), (1.0, 5.5, phi, 0.0, 22)],
        # A charged pion below the track threshold deposits in the HCAL.
        [(0.4, 2.0, phi, 0.13957, -211)],
        [],
    ]
    particles = _events(rows)
    objects = simulate_detector(particles, particle_charge(particles.id), np.random.default_rng(0), PERFECT_CALORIMETER)
    assert ak.num(objects).tolist() == [1, 1, 2, 1, 1, 0]
    first = objects[0, 0]
    assert first.id == 22
    assert first.E == pytest.approx(ak.sum(particles[0].E))
    assert first.eta == pytest.approx(0.05) and first.phi == pytest.approx(phi)
    assert objects[1, 0].id == 130
    assert objects[1, 0].E == pytest.approx(ak.sum(particles[1].E))
    assert ak.to_list(objects[2].id) == [22, 22]
    np.testing.assert_allclose(ak.to_numpy(objects[2].eta), [0.05, 0.15])
    np.testing.assert_allclose(ak.to_numpy(objects[2].E), ak.to_numpy(particles[2].E[:2]))
    assert objects[3, 0].id == 130 and objects[3, 0].eta == pytest.approx(2.6)
    assert objects[3, 0].E == pytest.approx(particles[3, 0].E)
    assert objects[4, 0].id == 130 and objects[4, 0].E == pytest.approx(particles[4, 0].E)


def test_particle_charge():
    ids = ak.Array([[211, -211, 11, -11, 13, 22, 2212, -2212, 2112, 130, 321], [], [-321]])
    charge = particle_charge(ids)
    assert ak.to_list(charge) == [[1, -1, -1, 1, -1, 0, 1, -1, 0, 0, 1], [], [-1]]
    with pytest.raises(ValueError, match="99999999"):
        particle_charge(ak.Array([[211, 99999999]]))


def test_bad_input_is_rejected(qcd_events):
    particles, charge, _ = qcd_events
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="charge must have the shape of particles"):
        simulate_detector(particles, charge[:, 1:], rng)
    with pytest.raises(ValueError, match="charge must have the shape of particles"):
        simulate_detector(particles, charge[:-1], rng)
    with pytest.raises(ValueError, match=r"shape \(events, var\)"):
        simulate_detector(particles, ak.flatten(charge), rng)
    with pytest.raises(ValueError, match="lack the fields"):
        simulate_detector(ak.zip({"px": particles.px, "py": particles.py}), charge, rng)
    bad = _events([[(10.0, 0.0, 0.0, 0.0, 22)]])
    bad = ak.with_field(bad, bad.E * np.nan, "E")
    with pytest.raises(ValueError, match="non-finite"):
        simulate_detector(bad, ak.Array([[0.0]]), rng)


def test_settings_are_serialisable_and_checked():
    settings = DetectorSettings()
    stored = json.loads(json.dumps(settings.as_dict()))
    assert DetectorSettings(**stored) == settings
    assert stored["tower_phi_bins_central"] == 64 and stored["tracker_eta_max"] == 2.5
    with pytest.raises(ValueError, match="track_efficiency_barrel"):
        DetectorSettings(track_efficiency_barrel=1.5)
    with pytest.raises(ValueError, match="not a multiple"):
        DetectorSettings(tower_eta_width_forward=0.25)
    with pytest.raises(ValueError, match="tower_phi_bins_forward"):
        DetectorSettings(tower_phi_bins_forward=0)
