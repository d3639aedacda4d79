"""Write small HDF5 files in SPANet's exact layout, with their event file, for the tests."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import torch

from lorentznets.data.generate.spanet_event_file import TTBAR_EVENT_FILE as EVENT_FILE
from lorentznets.lorentz import to_pt_eta_phi_m
from lorentznets.testing.synthetic_files import write_spanet_file

EVENT_TARGETS = """\
REGRESSIONS:
  EVENT: [{mean_pt: gaussian}]
  t1: {PARTICLE: [[mass, log_gaussian]]}
CLASSIFICATIONS:
  EVENT: [hard]
"""
EVENT_TARGET_OUTPUTS = [
    "log_probs_t1",
    "log_probs_t2",
    "detection_logits",
    "regression.EVENT/mean_pt",
    "regression.t1/PARTICLE/mass",
    "classification_logits.EVENT/hard",
]
"""The named outputs of an exported ttbar assignment model with the targets of :data:`EVENT_TARGETS`."""


def write_event_target_file(path: Path, num_events: int = 300, seed: int = 0) -> Path:
    """:func:`write_spanet_file` plus SPANet-layout event-level targets declared in its event file.

    ``REGRESSIONS/EVENT/mean_pt``: mean jet pt (GeV), NaN in every 10th event;
    ``REGRESSIONS/t1/PARTICLE/mass``: invariant mass (GeV) of t1's truth jets, NaN when unmatched;
    ``CLASSIFICATIONS/EVENT/hard``: 1 when the leading jet pt is above the median, -1 in every 7th.
    """
    write_spanet_file(path, num_events=num_events, seed=seed)
    with h5py.File(path, "a") as handle:
        mask = handle["INPUTS/Source/MASK"][:]
        pt = handle["INPUTS/Source/pt"][:].astype(np.float64)
        eta, phi = handle["INPUTS/Source/eta"][:], handle["INPUTS/Source/phi"][:]
        mass = handle["INPUTS/Source/mass"][:]
        mean_pt = (pt * mask).sum(1) / mask.sum(1)
        mean_pt[::10] = np.nan
        energy = np.sqrt((pt * np.cosh(eta)) ** 2 + mass**2)
        momenta = np.stack([energy, pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], axis=-1)
        jets = np.stack([handle[f"TARGETS/t1/{p}"][:] for p in ("q1", "q2", "b")], axis=1)
        total = np.take_along_axis(momenta, np.clip(jets, 0, None)[..., None], axis=1).sum(1)
        top_mass = np.sqrt(np.clip(total[:, 0] ** 2 - (total[:, 1:] ** 2).sum(1), 0, None))
        top_mass[(jets < 0).any(1)] = np.nan
        hard = (pt[:, 0] > np.median(pt[:, 0])).astype(np.int64)
        hard[::7] = -1
        handle["REGRESSIONS/EVENT/mean_pt"] = mean_pt.astype(np.float32)
        handle["REGRESSIONS/t1/PARTICLE/mass"] = top_mass.astype(np.float32)
        handle["CLASSIFICATIONS/EVENT/hard"] = hard
    path.with_suffix(".yaml").write_text(EVENT_FILE.replace("REGRESSIONS:\nCLASSIFICATIONS:\n", EVENT_TARGETS))
    return path


def boosted_batch(batch: dict, transform: torch.Tensor) -> dict:
    """The batch with every jet Lorentz-transformed by ``transform`` (B, 4, 4) and the
    (mass, pt, eta, phi) features recomputed from the transformed momenta."""
    momenta = torch.einsum("bij,bnj->bni", transform, batch["momenta"]) * batch["mask"][..., None]
    pt, eta, phi, mass = to_pt_eta_phi_m(momenta).unbind(-1)
    features = batch["features"].clone()
    features[..., 0], features[..., 1], features[..., 2], features[..., 3] = mass, pt, eta, phi
    return {**batch, "features": features * batch["mask"][..., None], "momenta": momenta}


SEMILEPTONIC_EVENT_FILE = """\
INPUTS:
  SEQUENTIAL:
    Jets: {mass: log_normalize, pt: log_normalize, eta: normalize, sin_phi: normalize, cos_phi: normalize, btag: none}
    Leptons:
      {mass: log_normalize, pt: log_normalize, eta: normalize, sin_phi: normalize, cos_phi: normalize, etag: none}
  GLOBAL:
    Met: {met: log_normalize, sin_phi: normalize, cos_phi: normalize}
EVENT:
  ht: [q1, q2, b]
  lt: [b, {l: Leptons}]
PERMUTATIONS:
  ht: [[q1, q2]]
REGRESSIONS:
  EVENT: [neutrino_px, neutrino_py, neutrino_pz]
  lt: {PARTICLE: [[mass, log_gaussian]]}
CLASSIFICATIONS:
"""


def write_semileptonic_file(path: Path, num_events: int = 200, max_jets: int = 8, seed: int = 0) -> Path:
    """A SPANet-layout file written by hand the way SPANet's semi-leptonic examples store it:
    jets and leptons as two SEQUENTIAL inputs with ``sin_phi``/``cos_phi``, MET as a GLOBAL input,
    the hadronic top on three jets, the leptonic top on a jet and a lepton (``{l: Leptons}``),
    neutrino momentum components and the leptonic top mass as regressions.

    4..max_jets jets and 0..2 leptons per event (events without a lepton have ``lt/l = -1``);
    the true azimuths are kept as ``phi`` (not declared in the event file) to check the reader.
    """
    rng = np.random.default_rng(seed)
    num_jets = rng.integers(4, max_jets + 1, num_events)
    num_leptons = rng.choice([0, 1, 1, 1, 2], num_events)
    with h5py.File(path, "w") as handle:
        for name, count, slots, tag in (("Jets", num_jets, max_jets, "btag"), ("Leptons", num_leptons, 2, "etag")):
            mask = np.arange(slots)[None, :] < count[:, None]
            pt = np.sort(rng.exponential(50.0, (num_events, slots)) + 20.0, axis=1)[:, ::-1]
            phi = rng.uniform(-np.pi, np.pi, (num_events, slots))
            columns = {
                "pt": pt,
                "eta": rng.uniform(-2.5, 2.5, (num_events, slots)),
                "phi": phi,
                "sin_phi": np.sin(phi),
                "cos_phi": np.cos(phi),
                "mass": rng.uniform(2.0, 15.0, (num_events, slots)) if name == "Jets" else np.full(pt.shape, 0.105),
                tag: rng.integers(0, 2, (num_events, slots)).astype(float),
            }
            handle[f"INPUTS/{name}/MASK"] = mask
            for feature, values in columns.items():
                handle[f"INPUTS/{name}/{feature}"] = np.where(mask, values, 0.0).astype(np.float32)
        met_phi = rng.uniform(-np.pi, np.pi, num_events)
        handle["INPUTS/Met/met"] = rng.exponential(40.0, num_events).astype(np.float32)
        handle["INPUTS/Met/sin_phi"] = np.sin(met_phi).astype(np.float32)
        handle["INPUTS/Met/cos_phi"] = np.cos(met_phi).astype(np.float32)
        jets = np.stack([rng.permutation(n)[:4] for n in num_jets])
        jets[rng.random(jets.shape) < 0.1] = -1
        lepton = np.where(num_leptons > 0, rng.integers(0, 2, num_events) % np.maximum(num_leptons, 1), -1)
        for k, product in enumerate(("q1", "q2", "b")):
            handle[f"TARGETS/ht/{product}"] = jets[:, k].astype(np.int64)
        handle["TARGETS/lt/b"] = jets[:, 3].astype(np.int64)
        handle["TARGETS/lt/l"] = lepton.astype(np.int64)
        neutrino = rng.normal(0.0, 40.0, (num_events, 3))
        for k, axis in enumerate(("px", "py", "pz")):
            handle[f"REGRESSIONS/EVENT/neutrino_{axis}"] = neutrino[:, k].astype(np.float32)
        mass = rng.normal(172.0, 20.0, num_events)
        mass[lepton < 0] = np.nan
        handle["REGRESSIONS/lt/PARTICLE/mass"] = mass.astype(np.float32)
    path.with_suffix(".yaml").write_text(SEMILEPTONIC_EVENT_FILE)
    return path
