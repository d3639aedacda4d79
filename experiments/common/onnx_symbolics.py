"""ONNX forms of the operators that torch's TorchScript-based exporter cannot translate, or
translates into graphs that onnxruntime cannot run, for the nets of this repository.

:func:`register_symbolics` registers them for one opset (17 by default, see
:mod:`experiments.common.onnx_export`); each form computes what torch computes, up to float32
rounding.
"""

from __future__ import annotations

import math

import torch
from torch.onnx import symbolic_helper

__all__ = ["SYMBOLICS", "register_symbolics"]

# torch's ScalarType codes (c10/core/ScalarType.h) of the dtypes an identity matrix is built in.
_ONNX_TYPES = {3: "INT32", 4: "INT64", 5: "FLOAT16", 6: "FLOAT", 7: "DOUBLE", 11: "BOOL"}
_FLOAT = symbolic_helper._type_utils.JitScalarType.FLOAT
_INT64_MAX = torch.iinfo(torch.int64).max


def _constant(graph, values: list[int]):
    return graph.op("Constant", value_t=torch.tensor(values, dtype=torch.int64))


def _dtype(x) -> torch.dtype:
    return symbolic_helper._type_utils.JitScalarType.from_value(x, _FLOAT).dtype()


def _expm1(graph, x):
    # ONNX has no Expm1; exp(x) - 1 differs from it by float32 rounding (absolute ~1e-7 near 0).
    return graph.op("Sub", graph.op("Exp", x), graph.op("Constant", value_t=torch.tensor(1.0, dtype=_dtype(x))))


def _asinh(graph, x):
    return graph.op("Asinh", x)


def _sinh(graph, x):
    return graph.op("Sinh", x)


def _cosh(graph, x):
    return graph.op("Cosh", x)


def _sign_bit(graph, v, zero, one):
    # v < 0, or v = -0 (whose reciprocal is -inf)
    return graph.op("Or", graph.op("Less", v, zero), graph.op("Less", graph.op("Div", one, v), zero))


def _atan2(graph, y, x):
    # torch's form divides by x unguarded (NaN at x = y = 0: the azimuth of a padded particle,
    # 0 in torch) and ignores signed zeros (-pi instead of pi on the negative x axis). Here every
    # finite case follows torch, signed zeros included.
    dtype = _dtype(y)
    zero, one, half_pi, pi = (
        graph.op("Constant", value_t=torch.tensor(value, dtype=dtype)) for value in (0.0, 1.0, math.pi / 2, math.pi)
    )
    x_is_zero = graph.op("Equal", x, zero)
    principal = graph.op("Atan", graph.op("Div", y, graph.op("Where", x_is_zero, one, x)))
    y_negative = _sign_bit(graph, y, zero, one)
    left = graph.op("Where", y_negative, graph.op("Sub", principal, pi), graph.op("Add", principal, pi))
    x_negative = _sign_bit(graph, x, zero, one)
    angle = graph.op("Where", x_negative, left, principal)
    vertical = graph.op("And", x_is_zero, graph.op("Not", graph.op("Equal", y, zero)))
    return graph.op("Where", vertical, graph.op("Mul", graph.op("Sign", y), half_pi), angle)


def _eye(graph, *args):
    # torch's own form is EyeLike in the requested dtype; onnxruntime has no EyeLike kernel for
    # bool (LorentzNet's self-pair masks): build it in float and cast.
    from onnx import TensorProto

    rows, columns = (args[0], args[0]) if len(args) == 5 else args[:2]
    one = _constant(graph, [1])
    shape = graph.op("Concat", graph.op("Reshape", rows, one), graph.op("Reshape", columns, one), axis_i=0)
    eye = graph.op("EyeLike", graph.op("ConstantOfShape", shape, value_t=torch.tensor([0.0])))
    if symbolic_helper._is_none(args[-4]):
        return eye
    code = symbolic_helper._get_const(args[-4], "i", "dtype")
    if code not in _ONNX_TYPES:
        return symbolic_helper._unimplemented("aten::eye", f"in dtype code {code}")
    return graph.op("Cast", eye, to_i=getattr(TensorProto, _ONNX_TYPES[code]))


def _matrix_transpose(graph, x):
    # aten::mT: swap the last two axes (the rank is known from tracing).
    rank = symbolic_helper._get_tensor_rank(x)
    if rank is None:
        return symbolic_helper._unimplemented("aten::mT", "of a tensor of unknown rank")
    return graph.op("Transpose", x, perm_i=[*range(rank - 2), rank - 1, rank - 2])


def _unflatten(graph, x, dim, sizes):
    # torch's form computes the split axis in the graph, after which the exporter no longer
    # knows which axes stay dynamic and folds later shapes into the traced constants.
    rank = symbolic_helper._get_tensor_rank(x)
    if rank is None:
        return symbolic_helper._unimplemented("aten::unflatten", "of a tensor of unknown rank")
    axis = symbolic_helper._get_const(dim, "i", "dim") % rank
    shape = graph.op("Shape", x)
    head = graph.op("Slice", shape, _constant(graph, [0]), _constant(graph, [axis]))
    tail = graph.op("Slice", shape, _constant(graph, [axis + 1]), _constant(graph, [rank]))
    return graph.op("Reshape", x, graph.op("Concat", head, sizes, tail, axis_i=0))


def _diagonal(graph, x, offset, dim1, dim2):
    # Main diagonals by a gather from the flattened matrices: torch's form builds an If whose
    # branches the exporter gives shared symbolic sizes, so that onnxruntime reuses one buffer for
    # diagonals of different widths (PELICAN's aggregations) and fails.
    rank = symbolic_helper._get_tensor_rank(x)
    if rank is None or symbolic_helper._get_const(offset, "i", "offset") != 0:
        return symbolic_helper._unimplemented("aten::diagonal", "off the main diagonal or of unknown rank")
    first, second = (symbolic_helper._get_const(dim, "i", "dim") % rank for dim in (dim1, dim2))
    rest = [axis for axis in range(rank) if axis not in (first, second)]
    matrices = graph.op("Transpose", x, perm_i=[*rest, first, second])
    shape = graph.op("Shape", matrices)
    lead = graph.op("Slice", shape, _constant(graph, [0]), _constant(graph, [rank - 2]))
    flat = graph.op("Reshape", matrices, graph.op("Concat", lead, _constant(graph, [-1]), axis_i=0))
    rows, columns = (
        graph.op("Gather", shape, graph.op("Constant", value_t=torch.tensor(axis))) for axis in (rank - 2, rank - 1)
    )
    step = graph.op("Add", columns, graph.op("Constant", value_t=torch.tensor(1)))
    limit = graph.op("Mul", graph.op("Min", rows, columns), step)
    index = graph.op("Range", graph.op("Constant", value_t=torch.tensor(0)), limit, step)
    return graph.op("Gather", flat, index, axis_i=-1)


def _tril_indices(graph, rows, columns, offset, *_):
    # The (row, column) indices of the lower triangle, row by row as in torch: the nonzero
    # entries of a triangular matrix of ones (rows and columns may be traced sizes).
    one = _constant(graph, [1])
    shape = graph.op("Concat", graph.op("Reshape", rows, one), graph.op("Reshape", columns, one), axis_i=0)
    ones = graph.op("ConstantOfShape", shape, value_t=torch.tensor([1.0]))
    k = graph.op("Constant", value_t=torch.tensor(symbolic_helper._get_const(offset, "i", "offset")))
    return graph.op("NonZero", graph.op("Trilu", ones, k, upper_i=0))


def _normalized_axes(normalized_shape) -> list[int]:
    # The normalised axes are the last len(normalized_shape); their sizes may be traced values
    # (``x.shape[-1:]``), which torch's own forms refuse although only their number matters.
    if symbolic_helper._is_packed_list(normalized_shape):
        count = len(symbolic_helper._unpack_list(normalized_shape))
    else:
        count = len(symbolic_helper._get_const(normalized_shape, "is", "normalized_shape"))
    return list(range(-count, 0))


def _movedim(graph, x, source, destination):
    # torch's form leaves negative source axes negative in the permutation (LLoCa's tensor
    # representations move axis -1), which ONNX refuses.
    rank = symbolic_helper._get_tensor_rank(x)
    if rank is None:
        return symbolic_helper._unimplemented("aten::movedim", "of a tensor of unknown rank")
    sources, destinations = (
        [axis % rank for axis in symbolic_helper._get_const(axes, "t", "dims").view(-1).tolist()]
        for axes in (source, destination)
    )
    perm: list[int | None] = [None] * rank
    for source_axis, destination_axis in zip(sources, destinations, strict=True):
        perm[destination_axis] = source_axis
    rest = iter(axis for axis in range(rank) if axis not in sources)
    return graph.op("Transpose", x, perm_i=[next(rest) if axis is None else axis for axis in perm])


def _layer_norm(graph, x, normalized_shape, weight, bias, eps, cudnn_enable):
    # torch's form needs the normalised sizes as constants (for the default weight and bias);
    # here the default weight and bias take the sizes from the graph.
    axes = _normalized_axes(normalized_shape)
    shape = graph.op("Slice", graph.op("Shape", x), _constant(graph, [axes[0]]), _constant(graph, [_INT64_MAX]))
    if symbolic_helper._is_none(weight):
        weight = graph.op("ConstantOfShape", shape, value_t=torch.ones(1, dtype=_dtype(x)))
    if symbolic_helper._is_none(bias):
        bias = graph.op("ConstantOfShape", shape, value_t=torch.zeros(1, dtype=_dtype(x)))
    epsilon = symbolic_helper._get_const(eps, "f", "eps")
    return graph.op("LayerNormalization", x, weight, bias, epsilon_f=epsilon, axis_i=axes[0])


def _rms_norm(graph, x, normalized_shape, weight, eps):
    # x / sqrt(mean(x^2) + eps) * weight over the normalised axes, eps defaulting to the dtype's
    # machine epsilon as in torch (ONNX's RMSNormalization needs opset 23).
    axes = _normalized_axes(normalized_shape)
    if symbolic_helper._is_none(eps):
        epsilon = torch.finfo(_dtype(x)).eps
    else:
        epsilon = symbolic_helper._get_const(eps, "f", "eps")
    mean_square = graph.op("ReduceMean", graph.op("Mul", x, x), axes_i=axes, keepdims_i=1)
    shifted = graph.op("Add", mean_square, graph.op("Constant", value_t=torch.tensor(epsilon, dtype=_dtype(x))))
    out = graph.op("Div", x, graph.op("Sqrt", shifted))
    return out if symbolic_helper._is_none(weight) else graph.op("Mul", out, weight)


SYMBOLICS = {
    "aten::expm1": _expm1,
    "aten::asinh": _asinh,
    "aten::sinh": _sinh,
    "aten::cosh": _cosh,
    "aten::atan2": _atan2,
    "aten::eye": _eye,
    "aten::mT": _matrix_transpose,
    "aten::movedim": _movedim,
    "aten::unflatten": _unflatten,
    "aten::diagonal": _diagonal,
    "aten::tril_indices": _tril_indices,
    "aten::layer_norm": _layer_norm,
    "aten::rms_norm": _rms_norm,
}
"""Operator name -> ONNX form: expm1 (PELICAN's input encoder), asinh and atan2 (the ParT-style
constituent and pair features), sinh and cosh (the event-generation flow coordinates, back to
four-momenta), a boolean identity matrix (LorentzNet), ``mT`` and ``movedim``
(LLoCa's frames and tensor representations), unflatten (L-GATr's layout), diagonal (PELICAN's
aggregations), tril_indices (ParT's pairs), layer norm over a traced width (L-GATr's scalars)
and RMS norm (PELICAN's blocks)."""


def register_symbolics(opset_version: int) -> None:
    """Register :data:`SYMBOLICS` with torch's exporter for ``opset_version``."""
    for name, symbolic in SYMBOLICS.items():
        torch.onnx.register_custom_op_symbolic(name, symbolic, opset_version)
