"""Toy ttbar events for tests: real t -> b W -> b q q decay kinematics, acceptance cuts applied."""

import math

import numpy as np


def _boost(p: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Boost 4-vectors p (N, 4) by velocities beta (N, 3)."""
    b2 = (beta**2).sum(-1, keepdims=True)
    gamma = 1 / np.sqrt(1 - b2)
    bp = (beta * p[:, 1:]).sum(-1, keepdims=True)
    energy = gamma * (p[:, :1] + bp)
    space = p[:, 1:] + ((gamma - 1) * bp / np.maximum(b2, 1e-300) + gamma * p[:, :1]) * beta
    return np.concatenate([energy, space], axis=-1)


def _two_body(parent: np.ndarray, m1, m2, rng) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic decay of parent (N, 4) into masses m1, m2 (scalars or (N,))."""
    n = len(parent)
    mass = np.sqrt(parent[:, 0] ** 2 - (parent[:, 1:] ** 2).sum(-1))
    m1, m2 = np.broadcast_to(m1, (n,)), np.broadcast_to(m2, (n,))
    q = np.sqrt((mass**2 - (m1 + m2) ** 2) * (mass**2 - (m1 - m2) ** 2)) / (2 * mass)
    cos = rng.uniform(-1, 1, n)
    phi = rng.uniform(-math.pi, math.pi, n)
    sin = np.sqrt(1 - cos**2)
    direction = np.stack([sin * np.cos(phi), sin * np.sin(phi), cos], -1)
    d1 = np.concatenate([np.sqrt(q**2 + m1**2)[:, None], q[:, None] * direction], -1)
    d2 = np.concatenate([np.sqrt(q**2 + m2**2)[:, None], -q[:, None] * direction], -1)
    beta = parent[:, 1:] / parent[:, :1]
    return _boost(d1, beta), _boost(d2, beta)


def make_ttbar_events(n: int, n_extra_jets: int = 0, seed: int = 0) -> np.ndarray:
    """Events (n, 4 (6 + n_extra_jets)) in file order b1 q1 q2 b2 q3 q4 j.., (E, px, py, pz) GeV,
    every jet with pt > 25 GeV and |eta| < 2.5."""
    rng = np.random.default_rng(seed)
    kept: list[np.ndarray] = []
    total = 0
    while total < n:
        m = 8 * n
        shat = rng.uniform(380, 900, m)
        system = np.stack([shat, np.zeros(m), np.zeros(m), np.zeros(m)], -1)
        system = _boost(system, np.stack([np.zeros(m), np.zeros(m), rng.uniform(-0.5, 0.5, m)], -1))
        top_mass = 173 + 1.5 * rng.standard_cauchy(m).clip(-5, 5)
        t1, t2 = _two_body(system, top_mass, top_mass[::-1].copy(), rng)
        jet_mass = rng.uniform(3, 15, (6, m))
        b1, w1 = _two_body(t1, jet_mass[0], 80.4 + 2 * rng.standard_normal(m), rng)
        b2, w2 = _two_body(t2, jet_mass[3], 80.4 + 2 * rng.standard_normal(m), rng)
        q1, q2 = _two_body(w1, jet_mass[1], jet_mass[2], rng)
        q3, q4 = _two_body(w2, jet_mass[4], jet_mass[5], rng)
        jets = [b1, q1, q2, b2, q3, q4]
        for _ in range(n_extra_jets):
            pt = 25 + rng.exponential(30, m)
            eta, phi = rng.uniform(-2.5, 2.5, m), rng.uniform(-math.pi, math.pi, m)
            mass = rng.uniform(3, 10, m)
            px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
            jets.append(np.stack([np.sqrt(mass**2 + px**2 + py**2 + pz**2), px, py, pz], -1))
        p = np.stack(jets, axis=1)
        pt = np.hypot(p[..., 1], p[..., 2])
        eta = np.arcsinh(p[..., 3] / pt)
        accept = ((pt > 25) & (np.abs(eta) < 2.5)).all(axis=1)
        kept.append(p[accept].reshape(-1, 4 * len(jets)))
        total += int(accept.sum())
    return np.concatenate(kept)[:n]
