"""ONNX export of an assignment network and decoding of its outputs.

The exported graph takes the raw inputs (the feature transforms are inside the model) and
returns one log-probability tensor per particle and the detection logits; decode them with
:func:`decode_onnx_outputs`. A model with event-level heads also returns, after those,
``regression.<key>`` (events,) in the targets' units per regression target and
``classification_logits.<key>`` (events, classes) per classification target.

:func:`export_onnx` (``evaluation.export_onnx``) and the general export (``export.onnx``, through
the experiment's ``exported_model`` and ``onnx_description``) trace the same :class:`FlatOutputs`
with the same names and dynamic ``events`` and ``jets`` axes (:func:`io_description`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from experiments.common.onnx_export import ONNX_OPSET
from experiments.common.onnx_export import export_onnx as export_module_onnx
from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples

INPUT_NAMES = ("features", "momenta", "mask", "global_features")


class FlatOutputs(nn.Module):
    """An assignment wrapper whose outputs are flat: ``(*log_probs, detection_logits)``, then one
    tensor per regression target and per classification target, so every output has its own ONNX
    name (:func:`output_names`); in the wrapper's train/eval mode."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.training = model.training

    def forward(self, features, momenta, mask, global_features):
        outputs = self.model(features, momenta, mask, global_features)
        flat = (*outputs[0], outputs[1])
        if len(outputs) == 3:
            regressions, logits = outputs[2]
            flat = (*flat, *regressions.unbind(-1), *logits)
        return flat


def output_names(
    particle_names: Sequence[str], regression_keys: Sequence[str] = (), classification_keys: Sequence[str] = ()
) -> list[str]:
    """``log_probs_<particle>`` for each particle, ``detection_logits``, then
    ``regression.<key>`` and ``classification_logits.<key>`` for the event-level targets."""
    return (
        [f"log_probs_{name}" for name in particle_names]
        + ["detection_logits"]
        + [f"regression.{key}" for key in regression_keys]
        + [f"classification_logits.{key}" for key in classification_keys]
    )


def io_description(model: nn.Module) -> dict[str, dict[str, dict[str, Any]]]:
    """Names, shapes and meaning of the inputs and of :class:`FlatOutputs`' outputs of an assignment
    wrapper, in ``forward`` order; string entries of a shape are dynamic axes (``events``; ``jets``,
    the joined vectors of all SEQUENTIAL inputs, the same length on every input and output).

    Parameters
    ----------
    model : AssignmentWrapper

    Returns
    -------
    dict
        ``{"inputs": {name: {"shape": [...], "description": str}}, "outputs": {...}}`` (the form of
        :mod:`experiments.common.onnx_export`'s ``onnx_description``).
    """
    heads = model.event_heads
    regressions = [t.key for t in heads.regressions] if heads is not None else []
    classifications = list(heads.classifications) if heads is not None else []
    names = output_names(model.topology.particle_names, regressions, classifications)
    columns = ", ".join(model.feature_names)
    inputs = {
        "features": {
            "shape": ["events", "jets", model.num_features],
            "description": f"raw per-vector features as stored in the event file, columns {columns} (the "
            "transforms and their statistics are inside the graph); zeros for padding",
        },
        "momenta": {
            "shape": ["events", "jets", 4],
            "description": "four-momenta (E, px, py, pz) in GeV from the features (zeros for padding and for "
            "vectors without kinematics)",
        },
        "mask": {"shape": ["events", "jets"], "description": "true for the real vectors, which come first"},
        "global_features": {
            "shape": ["events", model.num_globals],
            "description": "raw GLOBAL inputs in the event file's order",
        },
    }
    outputs = {}
    for name, particle in zip(names, model.topology.particles):
        outputs[name] = {
            "shape": ["events", *["jets"] * particle.num_products],
            "description": f"log-probability of each tuple of vectors for the products {list(particle.products)} "
            "of this particle (-inf for invalid tuples); decode with "
            "experiments.assignment.onnx_export.decode_onnx_outputs",
        }
    outputs["detection_logits"] = {
        "shape": ["events", len(model.topology.particles)],
        "description": "per particle, the logit that it is fully reconstructable in the event",
    }
    for key, name in zip(regressions, names[len(outputs) :]):
        outputs[name] = {"shape": ["events"], "description": f"the regression target {key} in its own units"}
    for key, count in zip(classifications, heads.num_classes.tolist() if heads is not None else []):
        outputs[f"classification_logits.{key}"] = {
            "shape": ["events", count],
            "description": f"logits of the classes of {key}: probabilities = softmax(logits)",
        }
    return {"inputs": inputs, "outputs": outputs}


def export_onnx(model: nn.Module, path: str | os.PathLike, batch: dict, opset_version: int = ONNX_OPSET) -> list[str]:
    """Export an assignment wrapper to ONNX with dynamic event and jet axes.

    Parameters
    ----------
    model : AssignmentWrapper
        Traced in eval mode and put back in its previous train/eval mode afterwards.
    path : str or path-like
        The .onnx file to write.
    batch : dict
        An example batch (``features`` (B, N, F), ``momenta`` (B, N, 4) GeV, ``mask`` (B, N) bool,
        ``global_features`` (B, G)) used for tracing.
    opset_version : int

    Returns
    -------
    list of str
        The output names (see :func:`output_names`).

    Raises
    ------
    experiments.common.onnx_export.OnnxExportError
        An operator ONNX lacks (:func:`experiments.common.onnx_export.export_onnx` does the export).
    """
    description = io_description(model)
    names = list(description["outputs"])
    dynamic = {
        name: {axis: size for axis, size in enumerate(entry["shape"]) if isinstance(size, str)}
        for name, entry in {**description["inputs"], **description["outputs"]}.items()
    }
    # In the model's train/eval mode: the common export puts the wrapper, and with it the model, back in it.
    flat = FlatOutputs(model)
    export_module_onnx(flat, tuple(batch[key] for key in INPUT_NAMES), path, INPUT_NAMES, names, dynamic, opset_version)
    return names


def decode_onnx_outputs(
    outputs: Sequence[np.ndarray], mask: np.ndarray, decoder: str = "greedy", num_particles: int | None = None
) -> tuple[list[np.ndarray], np.ndarray]:
    """Jet indices per particle from the exported network's outputs.

    Parameters
    ----------
    outputs : sequence of np.ndarray
        As returned by ``onnxruntime.InferenceSession.run``: per particle (B, N, ..., N)
        log-probabilities, then the (B, P) detection logits and any event-level outputs (all
        ignored here).
    mask : np.ndarray with shape (B, N), bool
        The real jets (the ``mask`` input).
    decoder : str
        ``"greedy"`` (SPANet's) or ``"exact"`` (best total log-probability).
    num_particles : int, optional
        Number P of log-probability outputs; required when the model has event-level outputs,
        otherwise all outputs but the last.

    Returns
    -------
    assignments : list of np.ndarray
        Per particle, (B, k_p) jet indices (read ``assigned``).
    assigned : np.ndarray with shape (B, P), bool
    """
    decoders = {"greedy": greedy_decode, "exact": exact_decode}
    if decoder not in decoders:
        raise ValueError(f"decoder must be one of {sorted(decoders)}, got {decoder!r}")
    mask_t = torch.as_tensor(np.asarray(mask, dtype=bool))
    count = len(outputs) - 1 if num_particles is None else num_particles
    if not 0 < count < len(outputs):
        raise ValueError(f"num_particles must be in 1..{len(outputs) - 1} for {len(outputs)} outputs, got {count}")
    log_probs = [torch.as_tensor(np.asarray(o, dtype=np.float64)) for o in outputs[:count]]
    for p, lp in enumerate(log_probs):
        if tuple(lp.shape[:2]) != tuple(mask_t.shape):
            raise ValueError(f"output {p} has shape {tuple(lp.shape)}, not matching the mask {tuple(mask_t.shape)}")
    valid = [valid_tuples(mask_t, lp.dim() - 1) for lp in log_probs]
    tuples, assigned = decoders[decoder](log_probs, valid)
    return [t.numpy() for t in tuples], assigned.numpy()
