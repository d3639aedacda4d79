"""Log a trained net as an MLflow PyTorch model, so that the MLflow UI's model view shows it with
its input example and signature (next to the raw state dict the base experiment stores)."""

from __future__ import annotations

import inspect
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["MULTI_INPUT_EXAMPLE", "log_pytorch_model"]

MULTI_INPUT_EXAMPLE = "input_example.npz"
"""File next to a multi-input model holding its example arrays by ``forward`` parameter name."""

_EXPORTED_VARIABLES = ("MLFLOW_TRACKING_URI", "MLFLOW_EXPERIMENT_ID")


def input_names(model: nn.Module, count: int) -> list[str]:
    """Names of the first ``count`` positional parameters of ``model.forward``."""
    parameters = [
        p.name
        for p in inspect.signature(model.forward).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return parameters[:count] if len(parameters) >= count else [f"input_{i}" for i in range(count)]


def flat_outputs(output: Any) -> list[torch.Tensor]:
    """The tensors of a (nested tuple or list of) model output(s), depth first."""
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, (tuple, list)):
        return [tensor for item in output for tensor in flat_outputs(item)]
    raise TypeError(f"log_pytorch_model: the model returned {type(output).__name__}, expected tensors in tuples/lists")


def log_pytorch_model(
    model: nn.Module,
    input_example: torch.Tensor | tuple[torch.Tensor, ...],
    name: str,
    run_id: str,
    tracking_uri: str,
) -> Any:
    """Log ``model`` with ``mlflow.pytorch.log_model`` to an existing run, with a signature
    inferred from one example batch.

    Parameters
    ----------
    model : torch.nn.Module
        Put it in the mode to log (``eval()``) first; it is called once, without gradients.
    input_example : torch.Tensor or tuple of torch.Tensor
        Positional arguments of ``model.forward`` for a small batch, e.g. ``(momenta, mask)``
        with shapes (B, N, 4) and (B, N). Several tensors become named inputs (the names of
        ``forward``'s parameters), and their example is stored as :data:`MULTI_INPUT_EXAMPLE`
        (MLflow's own input example takes one array). Outputs may be a tensor or nested
        tuples/lists of tensors (e.g. an assignment net's log-probabilities per particle and
        detection logits): several become the named outputs ``output_<i>``, depth first. The
        model is saved in MLflow's "pt2" format (``torch.export``, no pickled code) and loads
        with ``mlflow.pytorch.load_model``; MLflow's generic pyfunc serving takes single-tensor
        models only.
    name : str
        Name of the logged model (shown in the run's "Logged models").
    run_id : str
        Run to attach the model to.
    tracking_uri : str
        MLflow tracking URI of that run.

    Returns
    -------
    mlflow.models.model.ModelInfo
        ``model_uri`` of it loads the model back.
    """
    import mlflow
    import mlflow.pytorch
    from mlflow.models import infer_signature

    inputs = input_example if isinstance(input_example, tuple) else (input_example,)
    with torch.no_grad():
        outputs = [tensor.detach().cpu().numpy() for tensor in flat_outputs(model(*inputs))]
    output = outputs[0] if len(outputs) == 1 else {f"output_{i}": array for i, array in enumerate(outputs)}
    arrays = tuple(tensor.detach().cpu().numpy() for tensor in inputs)
    named = dict(zip(input_names(model, len(arrays)), arrays, strict=True))
    signature = infer_signature(arrays[0] if len(arrays) == 1 else named, output)
    previous_uri = mlflow.get_tracking_uri()
    # set_tracking_uri and set_experiment also export these variables; left behind, the next job of
    # a sweep in this process read MLFLOW_TRACKING_URI (MLflow's default, ./mlflow.db) as its database
    exported = {key: os.environ.get(key) for key in _EXPORTED_VARIABLES}
    with tempfile.TemporaryDirectory() as folder:
        # MLflow stores a single-array example itself; a tuple only traces the export.
        extra_files = None
        if len(arrays) > 1:
            extra_files = [str(Path(folder) / MULTI_INPUT_EXAMPLE)]
            np.savez(extra_files[0], **named)
        mlflow.set_tracking_uri(tracking_uri)
        # the run's own experiment, whose artifact location holds the model (without it MLflow
        # filed the model under the Default experiment, in ./mlruns of the working directory)
        experiment_id = mlflow.MlflowClient(tracking_uri).get_run(run_id).info.experiment_id
        mlflow.set_experiment(experiment_id=experiment_id)
        try:
            return mlflow.pytorch.log_model(
                model,
                name=name,
                signature=signature,
                input_example=arrays[0] if len(arrays) == 1 else arrays,
                serialization_format="pt2",
                run_id=run_id,
                extra_files=extra_files,
                pip_requirements=[f"torch=={torch.__version__.split('+')[0]}", f"numpy=={np.__version__}"],
            )
        finally:
            mlflow.set_tracking_uri(previous_uri)
            for key, value in exported.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
