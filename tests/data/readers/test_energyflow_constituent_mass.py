"""``constituent_mass`` of the EnergyFlow reader: "massless" reproduces the four-momenta of the
Particle Transformer repository's converter (``utils/convert_qg_datasets.py``), with which weaver's
quark-gluon models were trained, in every way the files are read; "pdg" (the default) is unchanged.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lorentznets.data.convert.pid import PID_CLASSES, PID_MASSES
from lorentznets.data.readers import SequentialJetStream, file_ranges, load_jets
from lorentznets.data.readers.energyflow_npz import read_range
from lorentznets.data.readers.stream import JetStream

from .jet_files import random_jets, write_energyflow, write_energyflow_h5, write_lgn
from .test_energyflow_npz_reader import quark_gluon_jets

SLOTS = 18


def weaver_converter(X):
    """What ``convert_qg_datasets.py`` writes, from its formulas: ``X`` cast to float32, the
    constituents (pt > 0) ordered by decreasing pt, ``TLorentzVectorArray.from_ptetaphim(pt, y,
    phi, 0)`` (the file's rapidity y taken as eta), whose ``x, y, z = pt cos phi, pt sin phi,
    pt sinh eta`` and ``t = hypot(mass, p)`` with ``p = pt cosh eta``; the jet is their sum.

    Returns
    -------
    momenta : np.ndarray with shape (N, M, 4), float32
        (E, px, py, pz), zero after the last constituent.
    jets : np.ndarray with shape (N, 4), float32
    """
    X = X.astype(np.float32)
    order = np.argsort(-X[:, :, 0], axis=1)
    pt, eta, phi = (np.take_along_axis(X[:, :, i], order, axis=1) for i in range(3))
    mask = pt > 0
    energy = np.hypot(np.zeros_like(pt), pt * np.cosh(eta))
    momenta = np.stack([energy, pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], axis=-1)
    momenta = np.where(mask[..., None], momenta, np.float32(0))
    return momenta, momenta.sum(axis=1)


def collimated_quark_gluon_file(path):
    """32 quark-gluon jets at |y| < 1.7 with their constituents around the axis, in an EnergyFlow
    ``.npz`` at ``path``: returns the file and what the ParT converter makes of it
    (:func:`weaver_converter`) and the particle table ``X`` (32, 30, 4)."""
    X, y = quark_gluon_jets(n_jets=32, n_slots=30, seed=7)
    rng = np.random.default_rng(0)
    real = X[..., 0] > 0
    X[..., 1] = np.where(real, rng.uniform(-1.7, 1.7, (32, 1)) + 0.2 * rng.standard_normal((32, 30)), 0)
    X[..., 2] = np.where(real, rng.uniform(0, 2 * np.pi, (32, 1)) + 0.2 * rng.standard_normal((32, 30)), 0)
    converted, _ = weaver_converter(X)
    return write_energyflow(path, X, y), converted, X


@pytest.fixture(scope="module")
def jets(tmp_path_factory):
    """Quark-gluon jets in both EnergyFlow files (npz archive, our HDF5) and weaver's conversion."""
    folder = tmp_path_factory.mktemp("qg")
    X, y = quark_gluon_jets(n_jets=40, n_slots=SLOTS, seed=11)
    X[..., 1] *= 4  # rapidities up to about 4, where a massive constituent's E and pz differ most from weaver's
    paths = {"npz": write_energyflow(folder / "QG_jets.npz", X, y), "h5": write_energyflow_h5(folder / "qg.h5", X, y)}
    return paths, weaver_converter(X), X


def _check_weaver(momenta, mask, jet_momenta, weaver, rows=slice(None)):
    """Our momenta against weaver's float32 arithmetic: each component equal up to a few float32
    roundings of the constituent's energy (weaver rounds pt, y and phi to float32 first: a
    component near zero, px at phi near pi / 2, moves by up to 1e-7 of the energy)."""
    expected, expected_jets = weaver[0][rows], weaver[1][rows]
    expected = expected[:, : momenta.shape[1]]
    np.testing.assert_array_equal(mask, expected[..., 0] > 0)
    error = np.abs(momenta.astype(np.float64) - expected) / np.maximum(expected[..., :1], 1e-30)
    assert error.max() < 1e-6, error.max()
    # the jet of all constituents, also those beyond max_particles (weaver's jet_p4)
    jet_error = np.abs(jet_momenta.astype(np.float64) - expected_jets) / expected_jets[:, :1]
    assert jet_error.max() < 1e-6, jet_error.max()


@pytest.mark.parametrize("kind", ["npz", "h5"])
@pytest.mark.parametrize("max_particles", [SLOTS, 6])
def test_massless_matches_the_weaver_converter_in_memory(jets, kind, max_particles):
    paths, weaver, _ = jets
    data = load_jets(paths[kind], max_particles=max_particles, constituent_mass="massless")
    _check_weaver(data.momenta.numpy(), data.mask.numpy(), data.jets.numpy(), weaver)
    # the particle IDs stay those of the default
    default = load_jets(paths[kind], max_particles=max_particles)
    assert torch.equal(data.scalars, default.scalars) and torch.equal(data.mask, default.mask)


def test_massless_matches_the_weaver_converter_by_row_ranges(jets):
    paths, weaver, _ = jets
    part = read_range(paths["h5"], 13, 31, 8, constituent_mass="massless")
    _check_weaver(part.momenta.numpy(), part.mask.numpy(), part.jets.numpy(), weaver, slice(13, 31))


def test_massless_matches_the_weaver_converter_streamed(jets):
    paths, weaver, _ = jets
    ranges = file_ranges(paths["h5"])
    batches = list(SequentialJetStream(ranges, 8, 7, block_jets=9, constituent_mass="massless"))
    momenta, mask, jet_momenta = (
        torch.cat([getattr(b, key) for b in batches]).numpy() for key in ("momenta", "mask", "jets")
    )
    _check_weaver(momenta, mask, jet_momenta, weaver)
    # the shuffled training stream: every jet of a window massless (E = |p| to float32 rounding)
    stream = JetStream(
        ranges, 8, 8, seed=0, block_jets=8, window_jets=16, interleave=1, sample_jets=8, constituent_mass="massless"
    )
    window, _ = stream.window(0, 0)
    real = window.momenta[window.mask].double()
    np.testing.assert_allclose(real[:, 0], real[:, 1:].norm(dim=-1), rtol=2e-6)


def test_pdg_is_the_default_and_unchanged(jets):
    """Bit for bit the PDG-mass formula: mT = sqrt(pt^2 + m^2), E = mT cosh y, pz = mT sinh y in float64."""
    paths, weaver, X = jets
    order = np.argsort(-X[:, :, 0], axis=1, kind="stable")
    pt, y, phi, pid = (np.take_along_axis(X[:, :, i], order, axis=1) for i in range(4))
    mass = PID_MASSES[np.searchsorted(PID_CLASSES, np.abs(pid).astype(int)).clip(max=len(PID_CLASSES) - 1)]
    mt = np.sqrt(pt**2 + mass**2)
    expected = np.stack([mt * np.cosh(y), pt * np.cos(phi), pt * np.sin(phi), mt * np.sinh(y)], axis=-1)
    expected = np.where(pt[..., None] > 0, expected, 0.0).astype(np.float32)
    for path in paths.values():
        default = load_jets(path, max_particles=SLOTS)
        np.testing.assert_array_equal(default.momenta.numpy(), expected)
        pdg = load_jets(path, max_particles=SLOTS, constituent_mass="pdg")
        assert torch.equal(pdg.momenta, default.momenta) and torch.equal(pdg.jets, default.jets)
    # the two conventions differ where it matters: heavy constituents at large |y|
    massless = load_jets(paths["h5"], max_particles=SLOTS, constituent_mass="massless")
    assert (default.momenta - massless.momenta).abs().max() > 0.1


def test_formats_that_store_four_momenta_refuse_massless_in_one_line(tmp_path):
    momenta, _ = random_jets(20, 5, seed=1)
    path = write_lgn(tmp_path / "top.h5", momenta, np.arange(20) % 2)
    refusal = r"top\.h5: constituent_mass='massless' applies to EnergyFlow .* format 'lgn_h5' stores four-momenta"
    for read in (
        lambda: load_jets(path, max_particles=5, constituent_mass="massless"),
        lambda: SequentialJetStream(file_ranges(path), 5, 4, constituent_mass="massless"),
    ):
        with pytest.raises(ValueError, match=refusal) as error:
            read()
        assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match=r"constituent_mass='zero': expected one of \['pdg', 'massless'\]"):
        load_jets(path, max_particles=5, constituent_mass="zero")
