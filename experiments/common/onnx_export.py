"""ONNX export of trained nets: the graph, the description of its inputs beside it, and a parity
check of onnxruntime against torch.

:func:`export_onnx` writes any module (the assignment experiment's export uses it too);
:func:`export_run_model` exports the model of a run, driven by the experiment's
``model_input_example()`` hook and an optional ``onnx_description()`` hook, and writes
``models/model_run<k>.onnx`` with ``models/model_run<k>.preprocessing.json`` (what to feed it:
input names, shapes, dtypes, units GeV, four-vectors as (E, px, py, pz), the normalisation
constants, the feature definitions, how to read the outputs).

``onnx_description()`` returns a dict with ``inputs`` and ``outputs`` (name -> ``{"shape": [...],
"description": str}``, in ``forward`` order; string entries of a shape are the dynamic axes,
e.g. ``["batch", "particles", 4]``) and any further keys (feature definitions, normalisation,
class names), which go to the JSON file as they are. Without it, every input and output gets a
dynamic ``batch`` axis 0 and the names of ``forward``'s parameters. The experiment's
``exported_model(model, inputs)`` returns the module to trace and its positional inputs (the
model's float32 CPU copy and the example, unless the model takes more than its ``forward``'s
positional inputs: the jet momenta of the tagging experiment's weaver feature convention).

Parity: the exported graph's outputs on the example inputs must match torch eager within
``|onnx - torch| <= PARITY_ATOL + PARITY_RTOL * |torch|`` (float32; the largest difference is
recorded in the JSON file).

The export traces with torch's TorchScript-based exporter, with our ONNX forms of the operators
it lacks or translates wrongly (:mod:`experiments.common.onnx_symbolics`); nets take their padded,
out-of-place paths while ``torch.onnx.is_in_onnx_export()`` (same values as in eager runs).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn

from experiments.common.mlflow_model import flat_outputs, input_names
from experiments.common.onnx_symbolics import register_symbolics

if TYPE_CHECKING:
    from experiments.base_experiment import BaseExperiment

LOGGER = logging.getLogger("lorentznets")

__all__ = [
    "ONNX_OPSET",
    "PARITY_ATOL",
    "PARITY_RTOL",
    "OnnxExportError",
    "export_onnx",
    "export_run_model",
    "float32_cpu",
    "onnx_parity",
]

ONNX_OPSET = 17
"""ONNX operator set of the exports (onnxruntime >= 1.13 runs it)."""

PARITY_RTOL = 1e-4
PARITY_ATOL = 1e-5
"""Tolerance of onnxruntime against torch eager in float32, relative and absolute."""


class OnnxExportError(RuntimeError):
    """A net that cannot be exported, or whose export disagrees with torch."""


def export_onnx(
    model: nn.Module,
    inputs: tuple[torch.Tensor, ...],
    path: str | os.PathLike,
    input_names: Sequence[str],
    output_names: Sequence[str],
    dynamic_axes: Mapping[str, Mapping[int, str]],
    opset_version: int = ONNX_OPSET,
) -> None:
    """Trace ``model`` in eval mode on ``inputs`` and write it to ``path`` as ONNX.

    Parameters
    ----------
    model : torch.nn.Module
        Put back in its previous train/eval mode afterwards.
    inputs : tuple of torch.Tensor
        Positional arguments of ``model.forward``.
    path : str or os.PathLike
        The ``.onnx`` file.
    input_names, output_names : sequence of str
        Names of the graph's inputs (one per tensor of ``inputs``) and outputs.
    dynamic_axes : mapping
        ``{name: {axis: axis name}}`` of the axes whose length may change.
    opset_version : int

    Raises
    ------
    OnnxExportError
        An operator ONNX lacks; the message names it.
    """
    register_symbolics(opset_version)
    was_training = model.training
    model.eval()
    with warnings.catch_warnings():
        try:
            # Shape checks in the nets' Python code are traced as constants: expected, not a problem.
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            torch.onnx.export(
                model,
                inputs,
                str(path),
                input_names=list(input_names),
                output_names=list(output_names),
                dynamic_axes={name: dict(axes) for name, axes in dynamic_axes.items()},
                opset_version=opset_version,
                dynamo=False,
            )
        except (torch.onnx.errors.OnnxExporterError, RuntimeError) as error:
            # RuntimeError: internal asserts of the exporter on graphs it cannot handle (L-GATr).
            # The message continues with the whole traced graph: keep its first line.
            reason = str(error).splitlines()[0]
            raise OnnxExportError(f"{type(model).__name__} cannot be exported to ONNX: {reason}") from error
        finally:
            model.train(was_training)


def onnx_parity(
    path: str | os.PathLike,
    model: nn.Module,
    inputs: tuple[torch.Tensor, ...],
    input_names: Sequence[str],
    expected: Sequence[torch.Tensor] | None = None,
) -> float:
    """Largest absolute difference between onnxruntime's outputs of ``path`` and ``model``'s.

    Parameters
    ----------
    path : str or os.PathLike
        The exported graph.
    model : torch.nn.Module
        The module exported, in eval mode (called without gradients).
    inputs : tuple of torch.Tensor
        Its positional inputs (CPU).
    input_names : sequence of str
    expected : sequence of torch.Tensor, optional
        ``model``'s flattened outputs on ``inputs`` when the caller has them already (computed
        here otherwise).

    Returns
    -------
    float

    Raises
    ------
    OnnxExportError
        onnxruntime cannot run the graph (an operator it lacks for the dtype), shapes differ,
        non-finite values differ, or a difference exceeds the tolerance (:data:`PARITY_ATOL`,
        :data:`PARITY_RTOL`; beyond it, twice the model's own float32 rounding is allowed as
        well: the larger of its float32 outputs' difference from float64 and of how far float64
        outputs move when the inputs change by float32 rounding (three draws of a relative
        2^-24): deep nets such as the LLoCa-Transformer move by 1e-3 with the order of their
        float32 sums, and onnxruntime sums in another order than torch).
    """
    import onnxruntime

    try:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        # the exporter drops inputs the graph does not use (e.g. global features of an event file without any)
        taken = {node.name for node in session.get_inputs()}
        feeds = {name: tensor.numpy() for name, tensor in zip(input_names, inputs, strict=True) if name in taken}
        onnx_outputs = session.run(None, feeds)
    except Exception as error:  # noqa: BLE001 - onnxruntime's errors share no base class but Exception
        raise OnnxExportError(f"{path}: onnxruntime cannot run the exported graph: {error}") from error
    if expected is None:
        with torch.no_grad():
            expected = flat_outputs(model(*inputs))
    largest = 0.0
    rounding: list[float] | None = None
    for index, (got, want) in enumerate(zip(onnx_outputs, expected, strict=True)):
        want = want.detach().float().numpy()
        if got.shape != want.shape:
            raise OnnxExportError(f"{path}: output {index} has shape {got.shape} in onnxruntime, {want.shape} in torch")
        finite = np.isfinite(want)
        if not np.array_equal(finite, np.isfinite(got)):
            raise OnnxExportError(f"{path}: output {index} is non-finite at other entries in onnxruntime than in torch")
        difference = np.abs(got[finite] - want[finite])
        excess = difference - (PARITY_ATOL + PARITY_RTOL * np.abs(want[finite]))
        if excess.size and excess.max() > 0:
            # A deep net's float32 result moves with the order of its sums: allow what torch's own
            # float32 result differs from its float64 one, twice.
            rounding = _float32_rounding(model, inputs) if rounding is None else rounding
            if excess.max() > 2 * rounding[index]:
                raise OnnxExportError(
                    f"{path}: output {index} differs from torch by up to {difference.max():.3g}, beyond the "
                    f"tolerance atol={PARITY_ATOL:g} + rtol={PARITY_RTOL:g} * |torch| + twice torch's own float32 "
                    f"rounding ({rounding[index]:.3g} against float64)"
                )
        largest = max(largest, float(difference.max(initial=0.0)))
    return largest


def _float32_rounding(model: nn.Module, inputs: tuple[torch.Tensor, ...]) -> list[float]:
    """Per output of ``model``, the larger of its float32 result's largest difference from the
    same model's in float64 and of the largest change of the float64 result under a relative
    2^-24 change of the floating inputs (three seeded draws of signs); zeros where the model
    cannot run in float64."""
    double = copy.deepcopy(model).double()
    promoted = tuple(x.double() if x.is_floating_point() else x for x in inputs)
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        single = flat_outputs(model(*inputs))
        try:
            reference = flat_outputs(double(*promoted))
            nudged = []
            for _ in range(3):
                moved = tuple(
                    x * (1 + 2.0**-24 * (2 * torch.randint(0, 2, x.shape, generator=generator) - 1))
                    if x.is_floating_point()
                    else x
                    for x in promoted
                )
                nudged.append(flat_outputs(double(*moved)))
        except (RuntimeError, TypeError, ValueError):
            return [0.0] * len(single)
    rounding = []
    for index, (s, r) in enumerate(zip(single, reference, strict=True)):
        if not s.numel():
            rounding.append(0.0)
            continue
        changes = [(s.double() - r).abs()] + [(n[index] - r).abs() for n in nudged]
        rounding.append(max(float(c.nan_to_num(0.0).max()) for c in changes))
    return rounding


def _graph_inputs(path: Path) -> set[str]:
    """Names of the inputs of the ONNX graph at ``path``."""
    import onnx

    return {node.name for node in onnx.load(str(path), load_external_data=False).graph.input}


def _default_description(
    model: nn.Module, example: tuple[torch.Tensor, ...], outputs: tuple[torch.Tensor, ...]
) -> dict[str, Any]:
    names = input_names(model, len(example))
    inputs = {name: {"shape": ["batch", *tensor.shape[1:]]} for name, tensor in zip(names, example, strict=True)}
    output_names = ["output"] if len(outputs) == 1 else [f"output_{i}" for i in range(len(outputs))]
    shapes = {name: {"shape": ["batch", *out.shape[1:]]} for name, out in zip(output_names, outputs, strict=True)}
    return {"inputs": inputs, "outputs": shapes}


def _dynamic_axes(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[int, str]]:
    return {
        name: {axis: size for axis, size in enumerate(entry["shape"]) if isinstance(size, str)}
        for name, entry in entries.items()
    }


def float32_cpu(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` detached on the CPU, in float32 when it is floating point (as the exports trace);
    same shape."""
    tensor = tensor.detach().cpu()
    return tensor.float() if tensor.is_floating_point() else tensor


def export_run_model(experiment: BaseExperiment, model_index: int) -> list[Path]:
    """Export the run's model (evaluation weights, float32, CPU) with its description and parity.

    Parameters
    ----------
    experiment : BaseExperiment
        Set up (model built, weights loaded); ``model_input_example()`` gives the inputs traced
        and checked, ``exported_model()`` the module and inputs to trace,
        ``onnx_description()`` (optional) the names, axes and preprocessing.
    model_index : int
        k of ``models/model_run<k>.pt``, the name of the files written.

    Returns
    -------
    list of pathlib.Path
        ``models/model_run<k>.onnx`` and ``models/model_run<k>.preprocessing.json``.

    Raises
    ------
    OnnxExportError
        The experiment offers no input example, the net cannot be exported, or the export
        disagrees with torch.
    """
    example = experiment.model_input_example()
    if example is None:
        raise OnnxExportError(f"{type(experiment).__name__} offers no model_input_example()")
    inputs = tuple(float32_cpu(tensor) for tensor in example)
    with experiment.trainer.evaluation_weights():
        model = copy.deepcopy(experiment.raw_model).float().cpu().eval()
    model, inputs = experiment.exported_model(model, inputs)
    inputs = tuple(float32_cpu(tensor) for tensor in inputs)
    with torch.no_grad():
        outputs = model(*inputs)
    outputs = tuple(flat_outputs(outputs))
    describe = getattr(experiment, "onnx_description", None)
    description = describe() if describe is not None else _default_description(model, inputs, outputs)
    if len(description["inputs"]) != len(inputs) or len(description["outputs"]) != len(outputs):
        raise OnnxExportError(
            f"{type(experiment).__name__}.onnx_description() names {len(description['inputs'])} inputs and "
            f"{len(description['outputs'])} outputs; the model takes {len(inputs)} and returns {len(outputs)}"
        )
    folder = experiment.run_dir.path / "models"
    folder.mkdir(parents=True, exist_ok=True)
    onnx_path = folder / f"model_run{model_index}.onnx"
    names = list(description["inputs"])
    dynamic = _dynamic_axes({**description["inputs"], **description["outputs"]})
    try:
        export_onnx(model, inputs, onnx_path, names, list(description["outputs"]), dynamic)
        difference = onnx_parity(onnx_path, model, inputs, names, outputs)
    except OnnxExportError:
        onnx_path.unlink(missing_ok=True)  # never leave a graph that failed its check to be picked up
        raise
    for entries, tensors in ((description["inputs"], inputs), (description["outputs"], outputs)):
        for entry, tensor in zip(entries.values(), tensors, strict=True):
            entry["dtype"] = str(tensor.dtype).removeprefix("torch.")
    taken = _graph_inputs(onnx_path)
    unused = [name for name in description["inputs"] if name not in taken]
    if unused:
        LOGGER.info("ONNX graph %s takes no %s: the model does not use them", onnx_path.name, ", ".join(unused))
    record = {
        "model_file": onnx_path.name,
        "experiment": experiment.cfg.experiment,
        "model": experiment.cfg.model.name,
        "trained_weights": experiment.run_dir.model_path(model_index).name,
        "opset": ONNX_OPSET,
        "units": "GeV",
        "four_vector_order": ["E", "px", "py", "pz"],
        "metric": "diag(+1, -1, -1, -1)",
        **description,
        "inputs": [{"name": name, **entry} for name, entry in description["inputs"].items() if name in taken],
        "unused_inputs": unused,
        "outputs": [{"name": name, **entry} for name, entry in description["outputs"].items()],
        "parity": {
            "rtol": PARITY_RTOL,
            "atol": PARITY_ATOL,
            "max_abs_difference_on_example": difference,
            "example_batch": int(inputs[0].shape[0]),
        },
    }
    json_path = folder / f"model_run{model_index}.preprocessing.json"
    json_path.write_text(json.dumps(record, indent=2) + "\n")
    LOGGER.info(
        "ONNX model %s (onnxruntime within %.2g of torch), inputs described in %s", onnx_path, difference, json_path
    )
    return [onnx_path, json_path]
