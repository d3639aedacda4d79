"""Read jet-parton assignment events from an HDF5 file in SPANet's layout.

Layout (SPANet, unchanged; ``E`` events, ``N`` vector slots per sequential input):

- ``INPUTS/<sequential input>/MASK`` (E, N) bool, real vectors first, and one (E, N) dataset
  per feature named in the event file (e.g. ``pt``, ``eta``, ``phi`` or ``sin_phi`` and
  ``cos_phi``, ``mass``, ``btag``); several sequential inputs (jets, leptons) may be declared;
- ``INPUTS/<global input>/<feature>`` (E,) for per-event inputs (no MASK);
- ``TARGETS/<particle>/<product>`` (E,) integer indices into the product's sequential input
  (the first one unless the event file names another, ``{l: Leptons}``), -1 for an unmatched
  parton; an optional ``TARGETS/<particle>/MASK`` (E,) bool marks particles that are absent as
  a whole;
- ``REGRESSIONS/<group>/<name>`` (E,) float, NaN where missing, and
  ``CLASSIFICATIONS/<group>/<name>`` (E,) integer class, -1 where missing, for the targets the
  event file declares (see :mod:`lorentznets.assignment.event_targets`; particle-level targets
  are read like event-level ones, one value per event).

The vectors of all sequential inputs are joined into one sequence in the layout of
:func:`lorentznets.assignment.input_layout.vector_layout` and packed per event: the real
vectors of the first input, then those of the next, then padding. Target indices point into
that packed sequence. Everything the topology needs is checked here, before any training step.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import torch

from lorentznets.assignment.event_targets import classification_targets, regression_targets
from lorentznets.assignment.input_layout import four_momenta, kinematic_columns, vector_layout
from lorentznets.assignment.topology import EventTopology

from .kinematics_check import check_global_azimuth, check_input_kinematics

LOG_TRANSFORMS = ("log", "log_normalize")
LOGGER = logging.getLogger("lorentznets")


@dataclass
class AssignmentEvents:
    """Events of one file, as tensors.

    Attributes
    ----------
    features : torch.Tensor with shape (E, N, F), float32
        Raw per-vector features in the layout of ``feature_names`` (the event file's order; see
        :func:`~lorentznets.assignment.input_layout.vector_layout`), zero for padding.
    mask : torch.Tensor with shape (E, N), bool
        True for real vectors (real vectors first).
    global_features : torch.Tensor with shape (E, G), float32
        Raw per-event features (``global_names``); G may be 0.
    targets : tuple of torch.Tensor
        Per particle of the topology, (E, k_p) int64 jet indices in the order of its products,
        -1 where unmatched.
    feature_names, global_names : tuple of str
        ``global_names`` entries are ``"<input>/<feature>"``.
    source : str
        The file read.
    regressions : torch.Tensor with shape (E, R), float32
        Event-level regression targets (``regression_names``), NaN where missing; R may be 0.
    classifications : torch.Tensor with shape (E, C), int64
        Event-level class labels (``classification_names``), -1 where missing; C may be 0.
    momenta : torch.Tensor with shape (E, N, 4), float32
        Four-momenta (E, px, py, pz) in GeV from the kinematic features, zero for padding and for
        inputs without kinematics.
    multiplicity : torch.Tensor with shape (E,), int64
        Real vectors in the SEQUENTIAL inputs that targets point into (the jets of a file whose
        leptons are inputs only), for the jet-multiplicity bins.
    regression_names, classification_names : tuple of str
        Paths under ``REGRESSIONS`` / ``CLASSIFICATIONS``, e.g. ``"EVENT/m_tt"``.
    """

    features: torch.Tensor
    mask: torch.Tensor
    global_features: torch.Tensor
    targets: tuple[torch.Tensor, ...]
    feature_names: tuple[str, ...]
    global_names: tuple[str, ...]
    source: str
    regressions: torch.Tensor
    classifications: torch.Tensor
    momenta: torch.Tensor
    multiplicity: torch.Tensor
    regression_names: tuple[str, ...] = ()
    classification_names: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.mask)

    def subset(self, index: torch.Tensor) -> AssignmentEvents:
        """The events at ``index`` (a 1-d index tensor)."""
        return AssignmentEvents(
            self.features[index],
            self.mask[index],
            self.global_features[index],
            tuple(t[index] for t in self.targets),
            self.feature_names,
            self.global_names,
            self.source,
            self.regressions[index],
            self.classifications[index],
            self.momenta[index],
            self.multiplicity[index],
            self.regression_names,
            self.classification_names,
        )


def _dataset(handle: h5py.File, key: str, source: str) -> h5py.Dataset:
    if key not in handle:
        parent = key.rsplit("/", 1)[0]
        found = sorted(handle[parent]) if parent in handle and isinstance(handle[parent], h5py.Group) else []
        raise KeyError(f"{source}: missing key {key!r} (found under {parent!r}: {found})")
    node = handle[key]
    if not isinstance(node, h5py.Dataset):
        raise ValueError(f"{source}: {key!r} is a group, expected a dataset")
    return node


def _read_array(handle: h5py.File, key: str, source: str, shape: tuple[int, ...], stop: int) -> np.ndarray:
    node = _dataset(handle, key, source)
    if node.shape != shape:
        raise ValueError(f"{source}: {key!r} has shape {node.shape}, expected {shape}")
    return node[:stop]


def _check_mask(mask: np.ndarray, key: str, source: str, need_one: bool) -> None:
    if mask.dtype != np.bool_:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError(f"{source}: {key!r} must be boolean (0/1), got dtype {mask.dtype}")
    mask = mask.astype(bool)
    empty = ~mask.any(axis=1)
    if need_one and empty.any():
        raise ValueError(f"{source}: {key!r}: event {int(np.flatnonzero(empty)[0])} has no real jet")
    # Real jets first: once a slot is padding, every later slot must be padding too.
    gaps = mask[:, 1:] & ~mask[:, :-1]
    if gaps.any():
        event = int(np.flatnonzero(gaps.any(axis=1))[0])
        raise ValueError(f"{source}: {key!r}: event {event} has a real jet after a padding slot")


def _check_feature(values: np.ndarray, mask: np.ndarray, key: str, transform: str, source: str) -> None:
    real = values[mask]
    bad = ~np.isfinite(real)
    if bad.any():
        events, jets = np.nonzero(mask)
        first = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{source}: {key!r} has {int(bad.sum())} non-finite values on real jets "
            f"(first at event {int(events[first])}, jet {int(jets[first])})"
        )
    if transform in LOG_TRANSFORMS and (real <= -1).any():
        raise ValueError(
            f"{source}: {key!r} has values <= -1, which the {transform!r} transform log(x + 1) cannot take"
        )


def _read_targets(
    handle: h5py.File,
    topology: EventTopology,
    masks: list[np.ndarray],
    packed_position: np.ndarray,
    total: int,
    source: str,
) -> tuple[torch.Tensor, ...]:
    """Target indices per particle, (E, k_p), translated into the packed vector sequence."""
    inputs = list(topology.sequential_inputs)
    offsets = np.cumsum([0] + [m.shape[1] for m in masks])
    stop = len(packed_position)
    rows = np.arange(stop)
    targets = []
    for particle in topology.particles:
        columns = []
        for position, product in enumerate(particle.products):
            key = f"TARGETS/{particle.name}/{product}"
            index = inputs.index(particle.source_of(position) or inputs[0])
            num_real = masks[index].sum(axis=1)
            values = _read_array(handle, key, source, (total,), stop)
            if not np.issubdtype(values.dtype, np.integer):
                raise ValueError(f"{source}: {key!r} must hold integer jet indices, got dtype {values.dtype}")
            out_of_range = (values < -1) | (values >= num_real)
            if out_of_range.any():
                event = int(np.flatnonzero(out_of_range)[0])
                raise ValueError(
                    f"{source}: {key!r}: event {event} points to jet {int(values[event])}, but the event has "
                    f"{int(num_real[event])} real vectors in INPUTS/{inputs[index]} "
                    f"(valid: -1 for unmatched, 0..{int(num_real[event]) - 1})"
                )
            matched = values >= 0
            packed = packed_position[rows, np.where(matched, values + offsets[index], 0)]
            columns.append(np.where(matched, packed, -1).astype(np.int64))
        indices = np.stack(columns, axis=1)
        mask_key = f"TARGETS/{particle.name}/MASK"
        if mask_key in handle:
            present = _read_array(handle, mask_key, source, (total,), stop)
            if present.dtype != np.bool_ and not np.isin(present, (0, 1)).all():
                event = int(np.flatnonzero(~np.isin(present, (0, 1)))[0])
                raise ValueError(f"{source}: {mask_key!r} must be boolean (0/1), got {present[event]} in event {event}")
            indices[~present.astype(bool)] = -1
        if stop and not (indices >= 0).all(axis=1).any():
            raise ValueError(
                f"{source}: TARGETS/{particle.name}: no event has all of {list(particle.products)} matched, so "
                "the assignment of this particle cannot be learned (check the event file against the data file)"
            )
        targets.append(indices)
    every = np.concatenate(targets, axis=1)
    matched = every >= 0
    ordered = np.sort(np.where(matched, every, -1 - np.arange(every.shape[1])), axis=1)
    shared = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    if shared.any():
        raise ValueError(f"{source}: TARGETS: event {int(np.flatnonzero(shared)[0])} assigns one jet to two partons")
    return tuple(torch.from_numpy(t) for t in targets)


def _read_input(
    handle: h5py.File, name: str, spec: dict, source: str, max_events: int | None, need_one: bool
) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
    """One sequential input: mask (E, N), raw features by name (E, N) zero on padding, and the
    number of events in the file."""
    mask_key = f"INPUTS/{name}/MASK"
    mask_node = _dataset(handle, mask_key, source)
    if mask_node.ndim != 2:
        raise ValueError(f"{source}: {mask_key!r} must have shape (events, jets), got {mask_node.shape}")
    shape = mask_node.shape
    stop = shape[0] if max_events is None else min(int(max_events), shape[0])
    mask = mask_node[:stop]
    _check_mask(mask, mask_key, source, need_one)
    mask = mask.astype(bool)
    features = {}
    for feature, transform in spec.items():
        key = f"INPUTS/{name}/{feature}"
        values = _read_array(handle, key, source, shape, stop).astype(np.float32)
        _check_feature(values, mask, key, transform, source)
        features[feature] = np.where(mask, values, 0.0).astype(np.float32)
    kinematic_columns(tuple(spec), f"{source}: INPUTS/{name}")
    return mask, features, shape[0]


def _joined_inputs(
    handle: h5py.File, topology: EventTopology, source: str, max_events: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], np.ndarray, int]:
    """All sequential inputs in the combined layout, packed per event (real vectors first).

    Returns features (E, N, F), momenta (E, N, 4) float64, mask (E, N), the per-input masks,
    ``packed_position`` (E, N) (position in the packed sequence of each slot of the inputs
    joined in order) and the number of events in the file.
    """
    layout = vector_layout(topology)
    single = len(layout.inputs) == 1
    masks, blocks, momenta, totals = [], [], [], set()
    for index, (name, spec) in enumerate(topology.sequential_inputs.items()):
        mask, values, total = _read_input(handle, name, spec, source, max_events, need_one=single)
        totals.add(total)
        block = np.zeros(mask.shape + (len(layout.names),), np.float32)
        for column, (owner, feature) in enumerate(zip(layout.owner, layout.features)):
            if owner == index:
                block[..., column] = values[feature]
            elif owner < 0 and feature == name:
                block[..., column] = mask
        columns = kinematic_columns(tuple(spec))
        if columns is None:
            LOGGER.info(
                "%s: INPUTS/%s has no pt, eta and azimuth: zero four-momenta, equivariant backbones see only "
                "its invariant features",
                source,
                name,
            )
            momenta.append(np.zeros(mask.shape + (4,)))
        else:
            tensors = {key: torch.from_numpy(values[key]) for key in columns.used}
            vectors = four_momenta(tensors, columns).numpy()
            check_input_kinematics(values, vectors, mask, columns, name, source)
            momenta.append(vectors * mask[..., None])
        masks.append(mask)
        blocks.append(block)
    if len(totals) != 1 or len({len(m) for m in masks}) != 1:
        raise ValueError(f"{source}: the SEQUENTIAL inputs {list(layout.inputs)} hold different numbers of events")
    mask = np.concatenate(masks, axis=1)
    empty = ~mask.any(axis=1)
    if empty.any():
        raise ValueError(f"{source}: event {int(np.flatnonzero(empty)[0])} has no real vector in any SEQUENTIAL input")
    order = np.argsort(~mask, axis=1, kind="stable")
    packed_position = np.empty_like(order)
    np.put_along_axis(packed_position, order, np.arange(mask.shape[1])[None, :], axis=1)
    features = np.take_along_axis(np.concatenate(blocks, axis=1), order[..., None], axis=1)
    momenta_array = np.take_along_axis(np.concatenate(momenta, axis=1), order[..., None], axis=1)
    return features, momenta_array, np.take_along_axis(mask, order, axis=1), masks, packed_position, totals.pop()


def _multiplicity(topology: EventTopology, masks: list[np.ndarray]) -> np.ndarray:
    """(E,) real vectors in the SEQUENTIAL inputs that some product points into."""
    inputs = list(topology.sequential_inputs)
    used = {inputs.index(p.source_of(k) or inputs[0]) for p in topology.particles for k in range(p.num_products)}
    return sum(masks[i].sum(axis=1) for i in sorted(used)).astype(np.int64)


def _read_regressions(handle: h5py.File, keys: tuple[str, ...], total: int, stop: int, source: str) -> np.ndarray:
    columns = []
    for name in keys:
        key = f"REGRESSIONS/{name}"
        values = _read_array(handle, key, source, (total,), stop)
        if not (np.issubdtype(values.dtype, np.floating) or np.issubdtype(values.dtype, np.integer)):
            raise ValueError(f"{source}: {key!r} must hold numbers, got dtype {values.dtype}")
        values = values.astype(np.float32)
        infinite = np.isinf(values)
        if infinite.any():
            raise ValueError(
                f"{source}: {key!r}: event {int(np.flatnonzero(infinite)[0])} is infinite (use NaN for missing)"
            )
        columns.append(values)
    return np.stack(columns, axis=1) if columns else np.zeros((stop, 0), np.float32)


def _read_classifications(handle: h5py.File, keys: tuple[str, ...], total: int, stop: int, source: str) -> np.ndarray:
    columns = []
    for name in keys:
        key = f"CLASSIFICATIONS/{name}"
        values = _read_array(handle, key, source, (total,), stop)
        if np.issubdtype(values.dtype, np.floating):
            fractional = ~np.isfinite(values) | (values != np.round(values))
            if fractional.any():
                event = int(np.flatnonzero(fractional)[0])
                raise ValueError(f"{source}: {key!r} must hold integer class labels, event {event} has {values[event]}")
        elif not (np.issubdtype(values.dtype, np.integer) or values.dtype == np.bool_):
            raise ValueError(f"{source}: {key!r} must hold integer class labels, got dtype {values.dtype}")
        values = values.astype(np.int64)
        below = values < -1
        if below.any():
            event = int(np.flatnonzero(below)[0])
            raise ValueError(
                f"{source}: {key!r}: event {event} has class {int(values[event])} (valid: -1 for missing, 0, 1, ...)"
            )
        columns.append(values)
    return np.stack(columns, axis=1) if columns else np.zeros((stop, 0), np.int64)


def read_assignment_file(
    path: str | os.PathLike, topology: EventTopology, max_events: int | None = None
) -> AssignmentEvents:
    """Read and validate an HDF5 file in SPANet's layout.

    Parameters
    ----------
    path : str or path-like
    topology : EventTopology
        The event file: which inputs, features and targets to read.
    max_events : int, optional
        Read only the first events.

    Returns
    -------
    AssignmentEvents

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    KeyError
        A key the event file names is missing (the message names file and key).
    ValueError
        Unreadable file, wrong shapes, non-finite features on real jets, events without any real
        vector, padding before real vectors, inconsistent kinematics (e.g. ``sin_phi`` without
        ``cos_phi``, or a GLOBAL input's ``sin_phi``, ``cos_phi`` off the unit circle), targets
        out of range or sharing a jet, a particle that is never fully matched, infinite
        regression targets, non-integer or < -1 class labels.
    """
    source = str(path)
    if not Path(path).is_file():
        raise FileNotFoundError(f"assignment data file not found: {source}")
    try:
        handle = h5py.File(path, "r")
    except OSError as error:
        raise ValueError(f"{source}: cannot open as HDF5 ({error})") from error
    with handle:
        features, momenta, mask, masks, packed_position, total = _joined_inputs(handle, topology, source, max_events)
        stop = len(mask)
        global_names, global_values = [], []
        for name, spec in topology.global_inputs.items():
            input_values = {}
            for feature, transform in spec.items():
                key = f"INPUTS/{name}/{feature}"
                values = _read_array(handle, key, source, (total,), stop).astype(np.float32)
                _check_feature(values[:, None], np.ones((stop, 1), bool), key, transform, source)
                input_values[feature] = values
            check_global_azimuth(input_values, name, source)
            global_names.extend(f"{name}/{feature}" for feature in input_values)
            global_values.extend(input_values.values())
        targets = _read_targets(handle, topology, masks, packed_position, total, source)
        regression_names = tuple(t.key for t in regression_targets(topology))
        classification_names = classification_targets(topology)
        regressions = _read_regressions(handle, regression_names, total, stop, source)
        classifications = _read_classifications(handle, classification_names, total, stop, source)
    globals_array = np.stack(global_values, axis=1) if global_values else np.zeros((stop, 0), np.float32)
    return AssignmentEvents(
        torch.from_numpy(features),
        torch.from_numpy(mask),
        torch.from_numpy(globals_array),
        targets,
        vector_layout(topology).names,
        tuple(global_names),
        source,
        torch.from_numpy(regressions),
        torch.from_numpy(classifications),
        torch.from_numpy(momenta.astype(np.float32)),
        torch.from_numpy(_multiplicity(topology, masks)),
        regression_names,
        classification_names,
    )
