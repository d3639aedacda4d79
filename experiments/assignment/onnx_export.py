"""ONNX export of an assignment network and decoding of its outputs.

The exported graph takes the raw inputs (the feature transforms are inside the model) and
returns one log-probability tensor per particle and the detection logits; decode them with
:func:`decode_onnx_outputs`. A model with event-level heads also returns, after those,
``regression.<key>`` (events,) in the targets' units per regression target and
``classification_logits.<key>`` (events, classes) per classification target.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from experiments.common.onnx_export import ONNX_OPSET
from experiments.common.onnx_export import export_onnx as export_module_onnx
from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples

INPUT_NAMES = ("features", "momenta", "mask", "global_features")


class _FlatOutputs(nn.Module):
    """Returns ``(*log_probs, detection_logits)`` so every output has its own ONNX name."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

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
    heads = getattr(model, "event_heads", None)
    names = output_names(
        model.topology.particle_names,
        [t.key for t in heads.regressions] if heads is not None else (),
        heads.classifications if heads is not None else (),
    )
    dynamic = {"features": {0: "events", 1: "jets"}, "momenta": {0: "events", 1: "jets"}}
    dynamic.update({"mask": {0: "events", 1: "jets"}, "global_features": {0: "events"}})
    for name, particle in zip(names, model.topology.particles):
        dynamic[name] = {0: "events", **{1 + m: f"jets_{m}" for m in range(particle.num_products)}}
    for name in names[len(model.topology.particles) :]:
        dynamic[name] = {0: "events"}
    # In the model's train/eval mode: the common export puts the wrapper, and with it the model, back in it.
    flat = _FlatOutputs(model).train(model.training)
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
