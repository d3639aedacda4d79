"""A simple, optional detector simulation for the Pythia generators: tracks and calorimeter towers.

This is an approximation of Delphes' ATLAS card, not a replacement: it turns the visible final
state of an event into "energy-flow objects" (tracks and towers) with ATLAS-like acceptance,
efficiencies and resolutions, fast and vectorised, so that taggers can be trained on inputs
with realistic granularity and smearing. Numbers are the ATLAS design performance (ATLAS
Collaboration, JINST 3 (2008) S08003, table 1.1 and chapters 4-5) unless marked as assumed.

==============================  ===========================================================
Simulated                       How
==============================  ===========================================================
Tracks                          charged particles with ``|eta| < 2.5`` and ``pT > 0.5`` GeV,
                                kept with 95 % (``|eta| < 1.5``) or 85 % (endcap) efficiency
Track momentum                  ``sigma(pT)/pT = a (+) b pT``, barrel a = 1 %,
                                b = 0.05 %/GeV; endcap twice that (assumed); log-normal
                                smearing of the magnitude, direction and mass kept
Calorimeter deposits            every particle that is not a track: photons and electrons in
                                the ECAL, hadrons in the HCAL, muons and neutrinos nowhere
Towers                          ``0.1 x 2 pi/64`` (eta x phi) for ``|eta| < 2.5``,
                                ``0.2 x 2 pi/32`` for ``2.5 < |eta| < 4.9``, nothing beyond
Calorimeter resolution          ``sigma(E)/E = s/sqrt(E) (+) c``: ECAL 10 %, 0.7 %; HCAL
                                50 %, 3 %; forward (``|eta| > 3.1``) 100 %, 10 % for both;
                                Gaussian per event, cell and calorimeter, truncated at zero
Tower objects                   massless, at the cell centre, kept above 0.5 GeV (assumed);
                                ``id`` 22 if the smeared ECAL energy dominates, 130 otherwise
==============================  ===========================================================

Not simulated: the magnetic field (no curling loopers, tracks are straight lines from the
origin), pile-up and the underlying detector noise, the transverse shower spread (a particle
deposits all of its energy in the one cell it points to), non-compensation (e/h = 1),
track-tower subtraction beyond the split above (a track never deposits energy), the muon
spectrometer (muons are tracks or lost), electron/photon identification and isolation,
b-tagging, vertexing, and secondary interactions or conversions in the tracker material.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import awkward as ak
import numpy as np
import vector

vector.register_awkward()

ECAL_IDS = (11, 22)
"""Absolute PDG ids that deposit their energy in the ECAL; all others but ``INVISIBLE_IDS`` go to the HCAL."""

INVISIBLE_IDS = (12, 13, 14, 16)
"""Absolute PDG ids that leave no calorimeter energy: neutrinos, and muons (minimum ionising)."""

TOWER_PHOTON_ID = 22
TOWER_NEUTRAL_HADRON_ID = 130


@dataclass(frozen=True)
class DetectorSettings:
    """ATLAS-like parameters of :func:`simulate_detector`; energies and momenta in GeV.

    Attributes
    ----------
    tracker_eta_max : float
        Tracker acceptance ``|eta| <`` this (ATLAS inner detector: 2.5).
    track_pt_min : float
        Minimum true pT in GeV of a track.
    barrel_eta_max : float
        ``|eta|`` that separates the barrel from the endcap for track efficiency and resolution.
    track_efficiency_barrel, track_efficiency_endcap : float
        Probability that a charged particle in the barrel / endcap becomes a track.
    track_resolution_constant_barrel, track_resolution_constant_endcap : float
        Term ``a`` of ``sigma(pT)/pT = sqrt(a^2 + (b pT)^2)`` (multiple scattering), dimensionless.
    track_resolution_slope_barrel, track_resolution_slope_endcap : float
        Term ``b`` of the same in 1/GeV (curvature measurement).
    ecal_stochastic, hcal_stochastic, forward_stochastic : float
        Stochastic term ``s`` of ``sigma(E)/E = sqrt(s^2/E + c^2)`` in sqrt(GeV).
    ecal_constant, hcal_constant, forward_constant : float
        Constant term ``c`` of the same, dimensionless.
    forward_eta_min : float
        Cells with ``|eta_centre|`` above this use the forward terms for both calorimeters (ATLAS
        FCal: 3.1 < |eta| < 4.9); must lie on a forward tower edge.
    tower_central_eta_max : float
        Towers have the fine granularity for ``|eta| <`` this.
    tower_eta_width_central, tower_eta_width_forward : float
        Tower width in eta in the central / forward region.
    tower_phi_bins_central, tower_phi_bins_forward : int
        Number of towers in phi (width ``2 pi / bins``) in the central / forward region.
    calorimeter_eta_max : float
        Calorimeter acceptance ``|eta| <`` this; particles beyond leave nothing.
    tower_energy_min : float
        Minimum smeared tower energy in GeV.
    """

    tracker_eta_max: float = 2.5
    track_pt_min: float = 0.5
    barrel_eta_max: float = 1.5
    track_efficiency_barrel: float = 0.95
    track_efficiency_endcap: float = 0.85
    track_resolution_constant_barrel: float = 0.01
    track_resolution_slope_barrel: float = 5e-4
    track_resolution_constant_endcap: float = 0.02
    track_resolution_slope_endcap: float = 1e-3
    ecal_stochastic: float = 0.10
    ecal_constant: float = 0.007
    hcal_stochastic: float = 0.50
    hcal_constant: float = 0.03
    forward_eta_min: float = 3.1
    forward_stochastic: float = 1.00
    forward_constant: float = 0.10
    tower_central_eta_max: float = 2.5
    tower_eta_width_central: float = 0.1
    tower_phi_bins_central: int = 64
    tower_eta_width_forward: float = 0.2
    tower_phi_bins_forward: int = 32
    calorimeter_eta_max: float = 4.9
    tower_energy_min: float = 0.5

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"DetectorSettings.{field.name} must be finite and >= 0, got {value!r}")
        for name in ("track_efficiency_barrel", "track_efficiency_endcap"):
            if getattr(self, name) > 1:
                raise ValueError(f"DetectorSettings.{name} is a probability, got {getattr(self, name)!r}")
        for name in ("tower_phi_bins_central", "tower_phi_bins_forward"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"DetectorSettings.{name} must be a positive integer, got {value!r}")
        if self.tower_eta_width_central <= 0 or self.tower_eta_width_forward <= 0:
            raise ValueError("DetectorSettings tower eta widths must be > 0")
        if not self.barrel_eta_max <= self.tracker_eta_max:
            raise ValueError(
                f"DetectorSettings.barrel_eta_max ({self.barrel_eta_max}) exceeds tracker_eta_max "
                f"({self.tracker_eta_max})"
            )
        if not 0 < self.tower_central_eta_max <= self.calorimeter_eta_max:
            raise ValueError(
                f"DetectorSettings needs 0 < tower_central_eta_max ({self.tower_central_eta_max}) <= "
                f"calorimeter_eta_max ({self.calorimeter_eta_max})"
            )
        _bin_count(2 * self.tower_central_eta_max, self.tower_eta_width_central, "central eta range")
        _bin_count(
            self.calorimeter_eta_max - self.tower_central_eta_max, self.tower_eta_width_forward, "forward eta range"
        )

    def as_dict(self) -> dict[str, float | int]:
        """All settings as a JSON-serialisable dict; ``DetectorSettings(**d)`` restores them."""
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}
        return {key: int(v) if isinstance(v, (int, np.integer)) else float(v) for key, v in values.items()}


def _bin_count(length: float, width: float, what: str) -> int:
    """Number of bins of ``width`` in ``length``; raises when it is not an integer."""
    count = round(length / width)
    if abs(count * width - length) > 1e-9 * max(1.0, length):
        raise ValueError(f"DetectorSettings: the {what} ({length:g}) is not a multiple of the tower width {width:g}")
    return count


@functools.lru_cache(maxsize=1)
def _particle_data():
    import pythia8mc

    return pythia8mc.Pythia("", False).particleData


def particle_charge(ids: ak.Array) -> ak.Array:
    """Electric charge of particles from their PDG ids, using Pythia's particle data table.

    Parameters
    ----------
    ids : ak.Array
        PDG ids, any (jagged) shape, e.g. (events, var).

    Returns
    -------
    ak.Array
        Charge in units of e, float64, the same shape as ``ids``.

    Raises
    ------
    ValueError
        If an id is not in Pythia's particle table.
    """

    def charge_leaf(layout, **_):
        if isinstance(layout, ak.contents.NumpyArray):
            return ak.contents.NumpyArray(_charges(np.asarray(layout.data)))
        return None

    return ak.transform(charge_leaf, ak.to_packed(ak.Array(ids)))


def _charges(ids: np.ndarray) -> np.ndarray:
    """Charges of a flat array of PDG ids, asking Pythia once per distinct id."""
    unique, inverse = np.unique(ids.astype(np.int64), return_inverse=True)
    data = _particle_data()
    unknown = [int(i) for i in unique if not data.isParticle(int(i))]
    if unknown:
        raise ValueError(f"particle_charge: PDG ids {unknown[:10]} are not in Pythia's particle table")
    return np.array([data.charge(int(i)) for i in unique], dtype=np.float64)[inverse].reshape(ids.shape)


def simulate_detector(
    particles: ak.Array,
    charge: ak.Array,
    rng: np.random.Generator,
    settings: DetectorSettings | None = None,
) -> ak.Array:
    """Turn the visible final state into tracks and calorimeter towers ("energy-flow objects").

    Charged particles inside the tracker acceptance above the pT threshold become tracks with the
    tracking efficiency; their momentum magnitude is smeared (direction and mass kept) and their
    ``id`` is the particle's PDG id. Every other particle within the calorimeter acceptance puts
    its energy in the cell it points to (ECAL: photons and electrons; HCAL: other hadrons; muons
    and neutrinos: nothing). Per event and cell the ECAL and HCAL sums are smeared separately
    (Gaussian, truncated at zero) and added; a sum above ``tower_energy_min`` becomes a massless
    tower at the cell centre with ``id`` 22 (ECAL energy dominates) or 130. Tracks never carry
    these two ids, so ``id`` tells tracks from towers.

    Parameters
    ----------
    particles : ak.Array
        ``Momentum4D`` records with ``px, py, pz, E`` in GeV and the PDG ``id``, shape
        (events, var), e.g. from
        :func:`~lorentznets.data.generate.pythia_session.visible_final_state`.
    charge : ak.Array
        Electric charge in units of e of each particle, shape (events, var) like ``particles``
        (see :func:`particle_charge`).
    rng : np.random.Generator
        Source of all random numbers (efficiency and smearing); the same generator state gives
        the same output.
    settings : DetectorSettings or None
        Detector parameters; ATLAS-like defaults when None.

    Returns
    -------
    ak.Array
        ``Momentum4D`` records with ``px, py, pz, E`` (GeV, float64) and ``id`` (int32), shape
        (events, var), each event's objects by decreasing pT.

    Raises
    ------
    ValueError
        If fields are missing, momenta are not finite, or ``charge`` does not have the shape of
        ``particles``.
    """
    settings = DetectorSettings() if settings is None else settings
    flat, event, n_events = _flatten_inputs(particles, charge)
    pt = np.hypot(flat["px"], flat["py"])
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.arcsinh(flat["pz"] / pt)
    phi = np.arctan2(flat["py"], flat["px"])
    absid = np.abs(flat["id"])

    efficiency_draw = rng.random(len(pt))
    smearing_draw = rng.standard_normal(len(pt))
    is_track = _track_mask(flat["charge"], pt, eta, efficiency_draw, settings)
    tracks = _smear_tracks(flat, pt, np.abs(eta), smearing_draw, is_track, settings)
    tracks["event"] = event[is_track]

    deposits = ~is_track & (np.abs(eta) < settings.calorimeter_eta_max) & ~np.isin(absid, INVISIBLE_IDS)
    towers = _towers(
        event[deposits],
        eta[deposits],
        phi[deposits],
        flat["E"][deposits],
        np.isin(absid[deposits], ECAL_IDS),
        rng,
        settings,
    )
    return _assemble([tracks, towers], n_events)


def _flatten_inputs(particles: ak.Array, charge: ak.Array) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """Check the inputs and return flat numpy columns, the event index of each particle and the event count."""
    missing = [name for name in ("px", "py", "pz", "E", "id") if name not in ak.fields(particles)]
    if missing:
        raise ValueError(f"simulate_detector: particles lack the fields {missing} (have {ak.fields(particles)})")
    try:
        counts = ak.to_numpy(ak.num(particles, axis=1))
        charge_counts = ak.to_numpy(ak.num(charge, axis=1))
    except (ValueError, TypeError, np.exceptions.AxisError) as error:
        raise ValueError(
            f"simulate_detector: particles and charge must both have shape (events, var); got types "
            f"{ak.type(particles)} and {ak.type(charge)}"
        ) from error
    if len(counts) != len(charge_counts) or np.any(counts != charge_counts):
        raise ValueError(
            f"simulate_detector: charge must have the shape of particles (events, var); got {len(charge_counts)} "
            f"events for charge and {len(counts)} for particles, or different particle counts per event"
        )
    flat = {
        name: ak.to_numpy(ak.flatten(particles[name], axis=1)).astype(np.float64) for name in ("px", "py", "pz", "E")
    }
    flat["id"] = ak.to_numpy(ak.flatten(particles["id"], axis=1)).astype(np.int32)
    flat["charge"] = ak.to_numpy(ak.flatten(charge, axis=1)).astype(np.float64)
    for name, values in flat.items():
        if not np.all(np.isfinite(values)):
            raise ValueError(f"simulate_detector: particles contain non-finite values in {name!r}")
    event = np.repeat(np.arange(len(counts)), counts)
    return flat, event, len(counts)


def _track_mask(
    charge: np.ndarray, pt: np.ndarray, eta: np.ndarray, draw: np.ndarray, settings: DetectorSettings
) -> np.ndarray:
    """Which particles become tracks, shape (particles,), bool."""
    abs_eta = np.abs(eta)
    efficiency = np.where(
        abs_eta < settings.barrel_eta_max, settings.track_efficiency_barrel, settings.track_efficiency_endcap
    )
    accepted = (charge != 0) & (abs_eta < settings.tracker_eta_max) & (pt > settings.track_pt_min)
    return accepted & (draw < efficiency)


def track_resolution(pt: np.ndarray, abs_eta: np.ndarray, settings: DetectorSettings) -> np.ndarray:
    """Relative track momentum resolution sigma(pT)/pT.

    Parameters
    ----------
    pt : np.ndarray
        True transverse momentum in GeV, shape (n,).
    abs_eta : np.ndarray
        ``|eta|``, shape (n,).
    settings : DetectorSettings
        Barrel and endcap terms.

    Returns
    -------
    np.ndarray
        Shape (n,), dimensionless.
    """
    barrel = abs_eta < settings.barrel_eta_max
    constant = np.where(barrel, settings.track_resolution_constant_barrel, settings.track_resolution_constant_endcap)
    slope = np.where(barrel, settings.track_resolution_slope_barrel, settings.track_resolution_slope_endcap)
    return np.hypot(constant, slope * pt)


def _smear_tracks(
    flat: dict[str, np.ndarray],
    pt: np.ndarray,
    abs_eta: np.ndarray,
    draw: np.ndarray,
    is_track: np.ndarray,
    settings: DetectorSettings,
) -> dict[str, np.ndarray]:
    """Scale the tracks' 3-momenta by a log-normal factor of mean 1 and width sigma(pT)/pT, keeping their mass.

    Log-normal rather than Gaussian keeps the momentum positive where the resolution is poor (TeV tracks).
    """
    sigma = track_resolution(pt[is_track], abs_eta[is_track], settings)
    log_width = np.sqrt(np.log1p(sigma**2))
    scale = np.exp(log_width * draw[is_track] - 0.5 * log_width**2)
    px, py, pz, energy = (flat[name][is_track] for name in ("px", "py", "pz", "E"))
    mass_squared = np.clip(energy**2 - px**2 - py**2 - pz**2, 0.0, None)
    px, py, pz = px * scale, py * scale, pz * scale
    energy = np.sqrt(px**2 + py**2 + pz**2 + mass_squared)
    return {"px": px, "py": py, "pz": pz, "E": energy, "id": flat["id"][is_track]}


def calorimeter_resolution(
    energy: np.ndarray, stochastic: np.ndarray | float, constant: np.ndarray | float
) -> np.ndarray:
    """Absolute energy resolution sigma(E) = sqrt(s^2 E + c^2 E^2) in GeV.

    Parameters
    ----------
    energy : np.ndarray
        Deposited energy in GeV, any shape.
    stochastic, constant : np.ndarray or float
        Terms of ``sigma(E)/E = sqrt(s^2/E + c^2)`` (s in sqrt(GeV)), broadcastable to ``energy``.

    Returns
    -------
    np.ndarray
        sigma(E) in GeV, the broadcast shape.
    """
    return np.sqrt(stochastic**2 * energy + constant**2 * energy**2)


def _towers(
    event: np.ndarray,
    eta: np.ndarray,
    phi: np.ndarray,
    energy: np.ndarray,
    is_ecal: np.ndarray,
    rng: np.random.Generator,
    settings: DetectorSettings,
) -> dict[str, np.ndarray]:
    """Sum deposits per event and cell, smear the ECAL and HCAL sums, and build the towers above threshold."""
    grid = _TowerGrid(settings)
    cell = grid.cell(eta, phi)
    key = event.astype(np.int64) * grid.n_cells + cell
    keys, inverse = np.unique(key, return_inverse=True)
    sums = np.stack(
        [
            np.bincount(inverse, weights=np.where(is_ecal, energy, 0.0), minlength=len(keys)),
            np.bincount(inverse, weights=np.where(is_ecal, 0.0, energy), minlength=len(keys)),
        ],
        axis=1,
    )
    cell_eta, cell_phi = grid.centre(keys % grid.n_cells)
    forward = np.abs(cell_eta) > settings.forward_eta_min + 1e-9
    stochastic = np.stack(
        [
            np.where(forward, settings.forward_stochastic, settings.ecal_stochastic),
            np.where(forward, settings.forward_stochastic, settings.hcal_stochastic),
        ],
        axis=1,
    )
    constant = np.stack(
        [
            np.where(forward, settings.forward_constant, settings.ecal_constant),
            np.where(forward, settings.forward_constant, settings.hcal_constant),
        ],
        axis=1,
    )
    noise = rng.standard_normal(sums.shape)
    smeared = np.clip(sums + calorimeter_resolution(sums, stochastic, constant) * noise, 0.0, None)
    total = smeared.sum(axis=1)
    keep = total > settings.tower_energy_min
    total, cell_eta, cell_phi = total[keep], cell_eta[keep], cell_phi[keep]
    pt = total / np.cosh(cell_eta)
    tower_id = np.where(smeared[keep, 0] > smeared[keep, 1], TOWER_PHOTON_ID, TOWER_NEUTRAL_HADRON_ID)
    return {
        "px": pt * np.cos(cell_phi),
        "py": pt * np.sin(cell_phi),
        "pz": pt * np.sinh(cell_eta),
        "E": total,
        "id": tower_id.astype(np.int32),
        "event": keys[keep] // grid.n_cells,
    }


class _TowerGrid:
    """Calorimeter cells: eta edges with their number of phi bins; cell index = eta bin * max phi bins + phi bin."""

    def __init__(self, settings: DetectorSettings) -> None:
        n_central = _bin_count(2 * settings.tower_central_eta_max, settings.tower_eta_width_central, "central eta")
        n_forward = _bin_count(
            settings.calorimeter_eta_max - settings.tower_central_eta_max, settings.tower_eta_width_forward, "forward"
        )
        central = -settings.tower_central_eta_max + settings.tower_eta_width_central * np.arange(n_central + 1)
        forward = settings.tower_central_eta_max + settings.tower_eta_width_forward * np.arange(1, n_forward + 1)
        self.edges = np.concatenate([-forward[::-1], central, forward])
        self.phi_bins = np.concatenate(
            [
                np.full(n_forward, settings.tower_phi_bins_forward),
                np.full(n_central, settings.tower_phi_bins_central),
                np.full(n_forward, settings.tower_phi_bins_forward),
            ]
        )
        self.max_phi_bins = int(self.phi_bins.max())
        self.n_cells = (len(self.edges) - 1) * self.max_phi_bins

    def cell(self, eta: np.ndarray, phi: np.ndarray) -> np.ndarray:
        """Cell index of directions within the grid, shape (n,), int64."""
        eta_bin = np.clip(np.searchsorted(self.edges, eta, side="right") - 1, 0, len(self.edges) - 2)
        n_phi = self.phi_bins[eta_bin]
        phi_bin = np.minimum(np.floor((phi + np.pi) / (2 * np.pi) * n_phi).astype(np.int64), n_phi - 1)
        return eta_bin.astype(np.int64) * self.max_phi_bins + phi_bin

    def centre(self, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre (eta, phi) of cells, each shape (n,); phi in (-pi, pi)."""
        eta_bin, phi_bin = np.divmod(cell, self.max_phi_bins)
        eta = 0.5 * (self.edges[eta_bin] + self.edges[eta_bin + 1])
        phi = -np.pi + (phi_bin + 0.5) * 2 * np.pi / self.phi_bins[eta_bin]
        return eta, phi


def _assemble(parts: list[dict[str, np.ndarray]], n_events: int) -> ak.Array:
    """Concatenate flat object columns, sort by (event, decreasing pT) and regroup by event."""
    columns = {name: np.concatenate([part[name] for part in parts]) for name in ("px", "py", "pz", "E", "id", "event")}
    pt = np.hypot(columns["px"], columns["py"])
    order = np.lexsort((-pt, columns["event"]))
    counts = np.bincount(columns["event"], minlength=n_events)
    records = ak.zip(
        {name: columns[name][order] for name in ("px", "py", "pz", "E", "id")},
        with_name="Momentum4D",
    )
    return ak.unflatten(records, counts)
