"""Event generation, the npy writer and the command-line protocol."""

import argparse
import os
import subprocess
import sys

import numpy as np
import pytest

from lorentznets.data.amplitudes import Couplings, generate_events, get_process, write_process_file
from lorentznets.data.amplitudes import generate as amplitude_cli
from lorentznets.data.amplitudes.invariants import mdot
from lorentznets.data.generate.status import generation_status


@pytest.mark.parametrize("process_name", ["zg", "zgg", "gg_ggg"])
def test_generated_events_have_the_layout_and_pass_cuts(process_name):
    process = get_process(process_name)
    data = generate_events(process, 300, np.random.default_rng(0), pt_min=20.0, delta_r_min=0.4)
    n = process.n_particles
    assert data.shape == (300, 4 * n + 1)
    p = data[:, :-1].reshape(300, n, 4)
    # Incoming partons along the beam; momentum conserved after the longitudinal boost.
    np.testing.assert_allclose(p[:, :2, 1:3], 0.0, atol=1e-12)
    np.testing.assert_allclose(p[:, :2].sum(axis=1), p[:, 2:].sum(axis=1), atol=1e-8)
    # Not all in the CM frame.
    assert np.std(p[:, :2, 3].sum(axis=1)) > 100.0
    masses = mdot(p, p)
    expected = np.array([Couplings().mass_z ** 2 if name == "Z" else 0.0 for name in process.particles])
    assert np.all(np.abs(masses - expected) < 1e-9 * p[..., 0] ** 2)
    gluons = p[:, [i for i, name in enumerate(process.particles) if name == "g" and i >= 2]]
    assert np.all(np.hypot(gluons[..., 1], gluons[..., 2]) > 20.0)
    amplitude = data[:, -1]
    assert np.all(np.isfinite(amplitude)) and np.all(amplitude > 0)
    np.testing.assert_allclose(process.squared_amplitude(p, Couplings()), amplitude, rtol=1e-9)


def test_generation_is_reproducible():
    process = get_process("zg")
    a = generate_events(process, 50, np.random.default_rng(4))
    b = generate_events(process, 50, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)


def test_unsatisfiable_cuts_raise():
    with pytest.raises(ValueError, match="loosen the cuts"):
        generate_events(get_process("gg_gg"), 5, np.random.default_rng(0), sqrt_s=100.0, pt_min=60.0, batch_size=100)


def test_writer_saves_npy_and_metadata(tmp_path):
    path = write_process_file(tmp_path, "zgg", 120, seed=3, chunk_events=50, progress=False)
    assert path == tmp_path / "zgg.npy"
    data = np.load(path)
    assert data.shape == (120, 4 * 5 + 1)
    assert "alpha_s: 0.118" in (tmp_path / "zgg.meta.txt").read_text()
    assert "n_events: 120" in (tmp_path / "zgg.meta.txt").read_text()
    assert not list(tmp_path.glob(".*tmp*"))


def test_writer_removes_what_an_interrupted_run_left(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".zg.{dead.pid}.tmp.npy"
    stale.write_bytes(b"\x93NUMPY half")
    live = tmp_path / f".zg.{os.getppid()}.tmp.npy"
    live.write_bytes(b"being written")
    write_process_file(tmp_path, "zg", 10, progress=False)
    assert not stale.exists() and live.exists()
    assert generation_status(tmp_path / "zg.npy", n_requested=10).state == "complete"


def test_cli_protocol_writes_requested_processes(tmp_path):
    parser = argparse.ArgumentParser()
    # The dispatching CLI may define the common options itself; ours must not clash with them.
    parser.add_argument("--n", type=int, default=7)
    amplitude_cli.add_arguments(parser)
    args = parser.parse_args(["--process", "zg", "gg_gg", "--out", str(tmp_path), "--seed", "1"])
    amplitude_cli.run(args)
    assert np.load(tmp_path / "zg.npy").shape == (7, 17)
    assert np.load(tmp_path / "gg_gg.npy").shape == (7, 17)


def test_cli_rejects_unknown_backend(tmp_path):
    parser = argparse.ArgumentParser()
    amplitude_cli.add_arguments(parser)
    args = parser.parse_args(["--process", "zgg", "--backend", "textbook", "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="no backend 'textbook'"):
        amplitude_cli.run(args)


def test_events_with_a_massive_particle_are_flat_phase_space():
    """RAMBO weights events with a Z among three or more particles: the generated events must follow
    the weighted distribution (dropping the weights oversampled slow Z's, mean |p_Z| 3% low)."""
    from lorentznets.data.amplitudes.events import passes_cuts
    from lorentznets.data.amplitudes.phase_space import rambo

    process, couplings = get_process("zgg"), Couplings()
    events = generate_events(process, 20000, np.random.default_rng(3), couplings, max_boost_rapidity=0.0)
    z_momentum = np.linalg.norm(events[:, 9:12], axis=1)  # (E, px, py, pz) of q, qbar, then Z
    final, weights = rambo(np.random.default_rng(4), 400000, 1000.0, process.final_masses(couplings))
    keep = passes_cuts(final, np.array([False, True, True]), 20.0, 0.4)
    reference = np.linalg.norm(final[keep, 0, 1:], axis=1)
    expected = np.average(reference, weights=weights[keep])
    error = z_momentum.std() / np.sqrt(len(z_momentum)) + reference.std() / np.sqrt(keep.sum())
    assert abs(z_momentum.mean() - expected) < 4 * error, (z_momentum.mean(), expected, error)
