"""ONNX export of an assignment network and decoding of its outputs.

The exported graph takes the raw inputs (the feature transforms are inside the model) and
returns one log-probability tensor per particle and the detection logits; decode them with
:func:`decode_onnx_outputs`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples

INPUT_NAMES = ("features", "momenta", "mask", "global_features")


class _FlatOutputs(nn.Module):
    """Returns ``(*log_probs, detection_logits)`` so every output has its own ONNX name."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, features, momenta, mask, global_features):
        log_probs, detection = self.model(features, momenta, mask, global_features)
        return (*log_probs, detection)


def output_names(particle_names: Sequence[str]) -> list[str]:
    """``log_probs_<particle>`` for each particle, then ``detection_logits``."""
    return [f"log_probs_{name}" for name in particle_names] + ["detection_logits"]


def export_onnx(model: nn.Module, path: str | os.PathLike, batch: dict, opset_version: int = 17) -> list[str]:
    """Export an assignment wrapper to ONNX with dynamic event and jet axes.

    Parameters
    ----------
    model : AssignmentWrapper
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
    """
    names = output_names(model.topology.particle_names)
    dynamic = {"features": {0: "events", 1: "jets"}, "momenta": {0: "events", 1: "jets"}}
    dynamic.update({"mask": {0: "events", 1: "jets"}, "global_features": {0: "events"}})
    for name, particle in zip(names, model.topology.particles):
        dynamic[name] = {0: "events", **{1 + m: f"jets_{m}" for m in range(particle.num_products)}}
    dynamic["detection_logits"] = {0: "events"}
    was_training = model.training
    model.eval()
    try:
        torch.onnx.export(
            _FlatOutputs(model),
            tuple(batch[key] for key in INPUT_NAMES),
            str(path),
            input_names=list(INPUT_NAMES),
            output_names=names,
            dynamic_axes=dynamic,
            opset_version=opset_version,
            dynamo=False,
        )
    finally:
        model.train(was_training)
    return names


def decode_onnx_outputs(
    outputs: Sequence[np.ndarray], mask: np.ndarray, decoder: str = "greedy"
) -> tuple[list[np.ndarray], np.ndarray]:
    """Jet indices per particle from the exported network's outputs.

    Parameters
    ----------
    outputs : sequence of np.ndarray
        As returned by ``onnxruntime.InferenceSession.run``: per particle (B, N, ..., N)
        log-probabilities, then the (B, P) detection logits (ignored here).
    mask : np.ndarray with shape (B, N), bool
        The real jets (the ``mask`` input).
    decoder : str
        ``"greedy"`` (SPANet's) or ``"exact"`` (best total log-probability).

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
    log_probs = [torch.as_tensor(np.asarray(o, dtype=np.float64)) for o in outputs[:-1]]
    for p, lp in enumerate(log_probs):
        if tuple(lp.shape[:2]) != tuple(mask_t.shape):
            raise ValueError(f"output {p} has shape {tuple(lp.shape)}, not matching the mask {tuple(mask_t.shape)}")
    valid = [valid_tuples(mask_t, lp.dim() - 1) for lp in log_probs]
    tuples, assigned = decoders[decoder](log_probs, valid)
    return [t.numpy() for t in tuples], assigned.numpy()
