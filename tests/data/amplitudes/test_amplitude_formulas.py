"""Squared amplitudes: literature values, closed forms against Berends-Giele, gauge and Lorentz invariance,
identical-particle symmetry."""

import itertools
import math

import numpy as np
import pytest

from lorentznets.data.amplitudes import (
    Couplings,
    get_process,
    gg_to_gg_textbook,
    gluons_berends_giele,
    gluons_parke_taylor,
    qqbar_to_zg_textbook,
    qqbar_z_gluons_berends_giele,
)
from lorentznets.data.amplitudes.berends_giele import (
    gluon_partial_amplitude,
    quark_line_partial_amplitude,
)
from lorentznets.data.amplitudes.colour import gluon_colour_matrix, quark_line_colour_matrix
from lorentznets.data.amplitudes.external_states import (
    dirac_bar,
    massive_polarizations,
    transverse_polarizations,
    u_spinors,
    v_spinors,
)
from lorentznets.data.amplitudes.invariants import all_outgoing, mdot


def _two_body(sqrt_s: float, cos_theta: float, mass: float = 0.0) -> np.ndarray:
    """One 2 -> 2 event (1, 4, 4) with the first final particle at polar angle theta."""
    energy_1 = (sqrt_s**2 + mass**2) / (2 * sqrt_s)
    modulus = (sqrt_s**2 - mass**2) / (2 * sqrt_s)
    sin_theta = math.sqrt(1 - cos_theta**2)
    direction = np.array([sin_theta, 0.0, cos_theta])
    p3 = np.concatenate([[energy_1], modulus * direction])
    p4 = np.concatenate([[modulus], -modulus * direction])
    half = sqrt_s / 2
    return np.array([[[half, 0, 0, half], [half, 0, 0, -half], p3, p4]])


def test_gg_to_gg_at_90_degrees_matches_literature(couplings):
    # Ellis-Stirling-Webber table 7.1: averaged |M|^2 / g^4 = 30.4 at theta = 90 degrees (exactly 243/8).
    p = _two_body(200.0, 0.0)
    averaged = get_process("gg_gg").squared_amplitude(p, couplings, "textbook") * 2  # undo 1/2!
    np.testing.assert_allclose(averaged / couplings.g_s**4, 243 / 8, rtol=1e-14)


def test_qqbar_to_zg_massless_limit_is_photon_formula():
    # Literature (Ellis-Stirling-Webber): q qbar -> gamma g, averaged |M|^2 = (8/9) e^2 e_q^2 g^2 (t/u + u/t);
    # for a vector boson of vanishing mass with couplings (c_V, c_A), e^2 e_q^2 -> c_V^2 + c_A^2.
    couplings = Couplings(mass_z=1e-4, mass_w=0.88e-4)
    p = _two_body(300.0, 0.3, mass=couplings.mass_z)
    t = mdot(p[0, 0] - p[0, 2], p[0, 0] - p[0, 2])
    u = mdot(p[0, 0] - p[0, 3], p[0, 0] - p[0, 3])
    c_v, c_a = couplings.z_vector_axial
    expected = (8 / 9) * couplings.g_s**2 * (c_v**2 + c_a**2) * (t / u + u / t)
    np.testing.assert_allclose(qqbar_to_zg_textbook(p, couplings) / 36, expected, rtol=1e-8)


@pytest.mark.parametrize(
    ("process", "reference", "other"),
    [
        ("gg_gg", gg_to_gg_textbook, gluons_parke_taylor),
        ("gg_gg", gg_to_gg_textbook, gluons_berends_giele),
        ("gg_ggg", gluons_parke_taylor, gluons_berends_giele),
        ("zg", qqbar_to_zg_textbook, qqbar_z_gluons_berends_giele),
    ],
)
def test_closed_forms_agree_with_berends_giele(process, reference, other, couplings, phase_space_points):
    p = phase_space_points(process, 40, seed=5)
    np.testing.assert_allclose(other(p, couplings), reference(p, couplings), rtol=1e-10)


def test_colour_matrices_have_known_entries():
    # Tr(T^a T^b) = delta: sum_a Tr(T^a T^a) = N^2 - 1; sum |T^a T^b|^2 = C_F^2 N with C_F = (N^2 - 1)/N.
    np.testing.assert_allclose(quark_line_colour_matrix(1), [[8.0]], rtol=1e-14)
    c2 = quark_line_colour_matrix(2)
    np.testing.assert_allclose(np.diag(c2).real, (8 / 3) ** 2 * 3, rtol=1e-13)
    np.testing.assert_allclose(c2[0, 1].real, -8 / 3, rtol=1e-13)
    # sum |Tr(T^a T^b T^c T^d)|^2 = (N^2 - 1)(N^4 - 3 N^2 + 3) / N^2.
    c4 = gluon_colour_matrix(4)
    np.testing.assert_allclose(np.diag(c4).real, 8 * 57 / 9, rtol=1e-13)
    for c in (c2, c4, gluon_colour_matrix(5)):
        np.testing.assert_allclose(c, c.conj().T, atol=1e-12)


def _ward_ratio(amplitude_fn, eps, index, momentum):
    reference = amplitude_fn(eps)
    gauge = list(eps)
    gauge[index] = momentum[:, None, :].astype(np.complex128)
    return np.abs(amplitude_fn(gauge)).max() / np.abs(reference).max()


def test_gluon_partial_amplitudes_are_gauge_invariant(phase_space_points):
    k = all_outgoing(phase_space_points("gg_gggg", 3, seed=2))
    eps = [transverse_polarizations(k[:, i])[:, :1] + 0.3 * transverse_polarizations(k[:, i])[:, 1:] for i in range(6)]
    momenta = [k[:, i] for i in range(6)]
    for i in range(6):
        assert _ward_ratio(lambda e: gluon_partial_amplitude(momenta, e), eps, i, k[:, i]) < 1e-10


@pytest.mark.parametrize("n_gluons", [1, 2, 3])
def test_quark_line_partial_amplitudes_are_gauge_invariant(n_gluons, couplings, phase_space_points):
    p = phase_space_points("z" + "g" * n_gluons, 3, seed=4)
    u = np.einsum("nsa,s->na", u_spinors(p[:, 0]), [1.0, 0.7])[:, None]
    vbar = np.einsum("nsa,s->na", dirac_bar(v_spinors(p[:, 1])), [0.4, 1.1])[:, None]
    eps_z = np.einsum("nsa,s->na", massive_polarizations(p[:, 2], couplings.mass_z), [0.2, 1.0, 0.5])[:, None]
    eps = [np.einsum("nsa,s->na", transverse_polarizations(p[:, 3 + i]), [1.0, 0.6])[:, None] for i in range(n_gluons)]
    momenta = [p[:, 3 + i] for i in range(n_gluons)]

    def amplitude(e):
        return quark_line_partial_amplitude(p[:, 0], u, vbar, p[:, 2], eps_z, momenta, e, couplings)

    assert np.abs(amplitude(eps)).min() > 0
    for i in range(n_gluons):
        assert _ward_ratio(amplitude, eps, i, p[:, 3 + i]) < 1e-10


LORENTZ_CASES = [
    ("gg_gg", None, 20),
    ("gg_gg", "berends_giele", 10),
    ("gg_ggg", None, 20),
    ("gg_ggg", "berends_giele", 10),
    ("gg_gggg", None, 2),
    ("zg", None, 20),
    ("zg", "berends_giele", 10),
    ("zgg", None, 10),
    ("zggg", None, 4),
]


@pytest.mark.parametrize(("process_name", "backend", "n_events"), LORENTZ_CASES)
def test_squared_amplitudes_are_lorentz_invariant(
    process_name, backend, n_events, couplings, phase_space_points, lorentz_transform
):
    process = get_process(process_name)
    p = phase_space_points(process_name, n_events, seed=7)
    reference = process.squared_amplitude(p, couplings, backend)
    for seed in range(2):
        transformed = lorentz_transform(p, seed, parity=True)
        np.testing.assert_allclose(process.squared_amplitude(transformed, couplings, backend), reference, rtol=1e-9)


PERMUTATION_CASES = [
    ("gg_gg", None),
    ("gg_ggg", None),
    ("gg_ggg", "berends_giele"),
    ("zgg", None),
    ("zggg", None),
]


@pytest.mark.parametrize(("process_name", "backend"), PERMUTATION_CASES)
def test_squared_amplitudes_are_symmetric_under_identical_particles(
    process_name, backend, couplings, phase_space_points
):
    process = get_process(process_name)
    p = phase_space_points(process_name, 6, seed=11)
    reference = process.squared_amplitude(p, couplings, backend)
    gluons = [i for i, name in enumerate(process.particles) if name == "g" and i >= 2]
    for perm in itertools.permutations(gluons):
        order = list(range(process.n_particles))
        for src, dst in zip(gluons, perm, strict=True):
            order[src] = dst
        np.testing.assert_allclose(process.squared_amplitude(p[:, order], couplings, backend), reference, rtol=1e-10)
    if process.particles[:2] == ("g", "g"):
        swapped = p[:, [1, 0, *range(2, process.n_particles)]]
        np.testing.assert_allclose(process.squared_amplitude(swapped, couplings, backend), reference, rtol=1e-10)


def test_six_gluons_symmetric_under_final_state_permutation(couplings, phase_space_points):
    process = get_process("gg_gggg")
    p = phase_space_points("gg_gggg", 2, seed=3)
    reference = process.squared_amplitude(p, couplings)
    for order in ([0, 1, 3, 2, 5, 4], [1, 0, 5, 3, 4, 2]):
        np.testing.assert_allclose(process.squared_amplitude(p[:, order], couplings), reference, rtol=1e-10)


def test_bad_inputs_raise_clear_errors(couplings, phase_space_points):
    with pytest.raises(KeyError, match="unknown amplitude process 'zz'"):
        get_process("zz")
    with pytest.raises(ValueError, match=r"shape \(N, 4, 4\)"):
        get_process("zg").squared_amplitude(np.zeros((3, 5, 4)), couplings)
    with pytest.raises(ValueError, match="unknown backend"):
        get_process("zgg").squared_amplitude(phase_space_points("zgg", 1), couplings, "textbook")
    with pytest.raises(ValueError, match="n = 4 or 5"):
        gluons_parke_taylor(np.zeros((2, 6, 4)), couplings)
    with pytest.raises(ValueError, match="unknown quark"):
        Couplings(quark="top")
