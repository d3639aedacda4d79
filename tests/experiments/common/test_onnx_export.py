"""The shared ONNX export: onnxruntime against torch eager, the operators torch cannot export,
and the errors."""

from __future__ import annotations

import json

import onnxruntime
import pytest
import torch
from experiment_test_utils import compose_config, toy_overrides
from onnx_test_utils import jets
from torch import nn
from toy_experiment import ToyExperiment

from experiments.common.onnx_export import PARITY_ATOL, PARITY_RTOL, OnnxExportError, export_onnx, onnx_parity
from experiments.registry import get_wrapper

TINY_NETS = {
    "lorentznet": {"hidden_channels": 8, "num_blocks": 1},  # a boolean identity matrix inside
    "transformer": {"hidden_channels": 16, "num_blocks": 1, "num_heads": 2},
    "particlenet": {"conv_params": [[4, [16, 16]]], "fc_params": [[16, 0.0]]},
}
AXES = {"momenta": {0: "batch", 1: "particles"}, "mask": {0: "batch", 1: "particles"}, "logits": {0: "batch"}}


@pytest.mark.parametrize("name", sorted(TINY_NETS))
def test_tagger_export_matches_torch_on_other_batch_and_jet_sizes(name, tmp_path):
    torch.manual_seed(0)
    model = get_wrapper("tagging", name)(net=TINY_NETS[name], out_channels=3, num_scalars=0).eval()
    model.set_momentum_scale(30.0)
    path = tmp_path / "tagger.onnx"
    export_onnx(model, jets(4, 9, 0), path, ["momenta", "mask"], ["logits"], AXES)
    assert model.training is False
    # Traced on 4 jets of 9 slots, run on 7 jets of 13.
    momenta, mask = jets(7, 13, 1)
    assert onnx_parity(path, model, (momenta, mask), ["momenta", "mask"]) < PARITY_ATOL
    (logits,) = onnxruntime.InferenceSession(str(path)).run(None, {"momenta": momenta.numpy(), "mask": mask.numpy()})
    assert logits.shape == (7, 3)


class _Encoder(nn.Module):
    """PELICAN's input encoding, ParT's feature transform and the flow coordinates' way back to
    four-momenta: expm1, asinh, sinh and cosh, which torch's exporter does not translate by itself."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        small = x / 10
        return torch.expm1(torch.log1p(x.abs()) * 0.7) + torch.asinh(x) + torch.sinh(small) * torch.cosh(small)


def test_expm1_asinh_sinh_and_cosh_export(tmp_path):
    x = torch.linspace(-30, 30, 121).reshape(11, 11)
    export_onnx(_Encoder(), (x,), tmp_path / "encoder.onnx", ["x"], ["y"], {"x": {0: "rows"}})
    assert onnx_parity(tmp_path / "encoder.onnx", _Encoder(), (x[:5],), ["x"]) < 1e-4


class _Azimuth(nn.Module):
    def forward(self, y: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        return torch.atan2(y, x)


def test_atan2_exports_as_torch_computes_it_on_axes_and_signed_zeros(tmp_path):
    """torch's own form gave NaN at (0, 0), the azimuth of every padded particle."""
    values = torch.tensor([0.0, -0.0, 1.0, -1.0, 2.5, -3.0, 1e-30, -1e-30, 1e30, -1e30])
    y, x = (grid.flatten() for grid in torch.meshgrid(values, values, indexing="ij"))
    export_onnx(_Azimuth(), (y, x), tmp_path / "atan2.onnx", ["y", "x"], ["phi"], {"y": {0: "n"}, "x": {0: "n"}})
    session = onnxruntime.InferenceSession(str(tmp_path / "atan2.onnx"))
    (phi,) = session.run(None, {"y": y.numpy(), "x": x.numpy()})
    expected = torch.atan2(y, x)
    torch.testing.assert_close(torch.from_numpy(phi), expected, rtol=1e-6, atol=1e-6)
    assert torch.equal(torch.from_numpy(phi).signbit(), expected.signbit())


class _Shapes(nn.Module):
    """Shape operators whose ONNX forms we replace, on axes of traced size (diagonal: see the
    PELICAN tagger test, tests/experiments/tagging/test_tagger_onnx_models.py)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows, cols = torch.tril_indices(x.shape[1], x.shape[1])
        pairs = x[:, rows] * x[:, cols]  # (B, N (N + 1) / 2, 4)
        halves = x.unflatten(-1, (2, -1))  # (B, N, 2, 2): a later shape taken from it
        moved = halves.reshape(*halves.shape[:2], -1).movedim(-1, 0)  # (4, B, N)
        outer = x[:, :, None] * x[:, None]  # (B, N, N, 4)
        wide, narrow = (pair.diagonal(dim1=1, dim2=2).mT for pair in (outer, outer[..., :2]))  # two widths
        normed = torch.nn.functional.layer_norm(wide, wide.shape[-1:])
        parts = (pairs.sum(1), moved.sum(-1).T, normed.sum(1), narrow.sum(1), torch.rms_norm(x, (4,)).sum(1))
        return torch.cat(parts, dim=-1)


def test_shape_operators_follow_other_sizes_than_traced(tmp_path):
    path = tmp_path / "shapes.onnx"
    export_onnx(_Shapes(), (torch.randn(2, 3, 4),), path, ["x"], ["y"], {"x": {0: "batch", 1: "items"}})
    assert onnx_parity(path, _Shapes(), (torch.randn(5, 7, 4),), ["x"]) < 1e-4


class _Complex(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.view_as_real(torch.complex(x, x)).sum(-1)


def test_an_operator_onnx_lacks_is_a_one_line_error(tmp_path):
    with pytest.raises(OnnxExportError, match=r"^_Complex cannot be exported to ONNX: .*complex[^\n]*$"):
        export_onnx(_Complex(), (torch.ones(2, 3),), tmp_path / "c.onnx", ["x"], ["y"], {})


def test_parity_fails_when_the_graph_differs_from_the_model(tmp_path):
    model = nn.Linear(3, 2)
    x = torch.randn(5, 3)
    export_onnx(model, (x,), tmp_path / "linear.onnx", ["x"], ["y"], {"x": {0: "batch"}})
    with torch.no_grad():
        model.bias += 1e-3
    with pytest.raises(OnnxExportError, match="differs from torch by up to 0.001"):
        onnx_parity(tmp_path / "linear.onnx", model, (x,), ["x"])


class _Cancelling(nn.Module):
    """y = (x + 1e4) - 1e4: float32 rounds x to multiples of 2^-10, float64 keeps it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x + 1e4) - 1e4


class _Shifted(nn.Module):
    def __init__(self, shift: float) -> None:
        super().__init__()
        self.shift = shift

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.shift


@pytest.mark.parametrize(("shift", "passes"), [(0.0, True), (2e-3, False)])
def test_parity_allows_twice_the_models_own_float32_rounding_and_no_more(tmp_path, shift, passes):
    """A graph computing x against a model whose float32 result rounds x by up to 4.9e-4 (far
    beyond atol + rtol |x|): within twice that rounding it passes, a 2e-3 shift does not."""
    x = torch.rand(200, 1)
    path = tmp_path / "graph.onnx"
    export_onnx(_Shifted(shift), (x,), path, ["x"], ["y"], {"x": {0: "batch"}})
    rounding = float((_Cancelling()(x) - x).abs().max())
    assert PARITY_ATOL + PARITY_RTOL < rounding < 1e-3
    if passes:
        assert onnx_parity(path, _Cancelling(), (x,), ["x"]) == pytest.approx(rounding, abs=1e-7)
    else:
        with pytest.raises(OnnxExportError, match=r"twice torch's own float32 rounding \(0.000\d+ against float64\)"):
            onnx_parity(path, _Cancelling(), (x,), ["x"])


def test_what_onnxruntime_cannot_run_is_an_export_error(tmp_path):
    model = nn.Linear(3, 2)
    export_onnx(model, (torch.randn(5, 3),), tmp_path / "linear.onnx", ["x"], ["y"], {"x": {0: "batch"}})
    with pytest.raises(OnnxExportError, match="onnxruntime cannot run the exported graph"):
        onnx_parity(tmp_path / "linear.onnx", nn.Linear(4, 2), (torch.randn(5, 4),), ["x"])


class _ExportableToy(ToyExperiment):
    """The toy regression with an input example: an experiment without ``onnx_description``."""

    def model_input_example(self) -> tuple[torch.Tensor, ...]:
        return (self.datasets["val"].tensors[0][:3].to(self.device),)


def test_an_experiment_without_a_description_exports_with_forward_names(tmp_path):
    settings = {"training.iterations": 4, "evaluate": False, "plot": False, "export.onnx": True}
    overrides = toy_overrides(tmp_path, run_name="toy", **settings)
    experiment = _ExportableToy(compose_config("default", overrides))
    experiment.run()
    models = tmp_path / "runs" / "toy" / "toy" / "models"
    description = json.loads((models / "model_run0.preprocessing.json").read_text())
    assert [(e["name"], e["shape"], e["dtype"]) for e in description["inputs"]] == [("input", ["batch", 4], "float32")]
    assert [(e["name"], e["shape"]) for e in description["outputs"]] == [("output", ["batch", 1])]
    x = experiment.datasets["test"].tensors[0]
    (y,) = onnxruntime.InferenceSession(str(models / "model_run0.onnx")).run(None, {"input": x.numpy()})
    with torch.no_grad():
        torch.testing.assert_close(torch.from_numpy(y), experiment.raw_model(x), rtol=PARITY_RTOL, atol=PARITY_ATOL)
