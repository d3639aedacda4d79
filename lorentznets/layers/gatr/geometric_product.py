"""Channel-wise geometric product of multivectors in the paired layout."""

from __future__ import annotations

import torch

from ...algebra import geometric_product_table
from ...utils.value_sized import in_functorch_transform
from .layout import PAIR_COMPONENTS, device_constant

#: Rows per chunk: the (rows, 256) outer-product buffer (4 MiB in float32) stays in cache between
#: the multiply and the GEMM; 16x larger chunks made a CPU training step of the quick tagger 2x slower.
CHUNK_ROWS = 4096


def _table_numbers() -> list:
    # (16, 256): table[i, j * 16 + k] in the paired component order of i, j, k.
    order = PAIR_COMPONENTS.flatten()
    table = geometric_product_table(torch.float64)[order][:, order][:, :, order]
    return table.reshape(16, 256).tolist()


_TABLE = _table_numbers()


@device_constant
def _paired_table(dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    return torch.tensor(_TABLE, dtype=dtype, device=device)


def paired_product_table(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The geometric product table in the paired component order, shape (16, 256), on CPU.

    ``table[i, j * 16 + k]`` is the coefficient of component i in ``e_j e_k``.
    """
    return torch.tensor(_TABLE, dtype=dtype)


def _components_last(paired: torch.Tensor) -> torch.Tensor:
    # (8, N, 2C) -> (N * C, 16) in the paired component order.
    x = paired.unflatten(-1, (2, -1))  # (8, N, 2, C)
    return x.permute(1, 3, 0, 2).reshape(-1, 16)


def _components_first(rows: torch.Tensor, items: int, channels: int) -> torch.Tensor:
    # (N * C, 16) -> (8, N, 2C); C given, as -1 is ambiguous for N = 0
    x = rows.view(items, channels, 8, 2).permute(2, 0, 3, 1)
    return x.reshape(8, items, 2 * channels)


def _unchunked_product(xr: torch.Tensor, yr: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """The forward of :class:`_PairedGeometricProduct` in one piece, without ``out=`` writes: for
    torch's ONNX exporter (which drops them; a traced chunk loop would fix the number of rows) and
    ``torch.func`` transforms (which cannot batch them)."""
    return (xr[:, :, None] * yr[:, None, :]).flatten(-2) @ table.T


def _transposed_tables(table: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # T[i, j, k] -> T[j, i, k] and T[k, i, j], shapes (16, 256): the tables of the two gradients,
    # grad_x_j = sum_ik T_ijk g_i y_k and grad_y_k = sum_ij T_ijk g_i x_j, as bilinear maps.
    cube = table.unflatten(1, (16, 16))
    return cube.transpose(0, 1).flatten(1), cube.permute(2, 0, 1).flatten(1)


class _PairedGeometricProduct(torch.autograd.Function):
    """out_i = sum_jk T_ijk x_j y_k per row, as an outer product times the (16, 256) table, in chunks.

    Takes rows xr, yr of shape (R, 16) in the paired component order (:func:`_components_last`)
    and the table ``T`` of shape (16, 256); returns (R, 16). A GEMM against the dense table costs
    16x the necessary multiply-adds but runs at BLAS speed, which on CPU beats gathering the 256
    nonzero products; chunking caps the outer-product buffer, and only the two inputs are kept
    for the backward pass.

    Each gradient is again such a bilinear map, of the output gradient and the other input with
    the table's indices permuted, so a backward that builds a graph (``create_graph=True``) calls
    this Function again: derivatives of every order take the chunked path.
    """

    @staticmethod
    def forward(xr: torch.Tensor, yr: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(xr)
        for start in range(0, xr.shape[0], CHUNK_ROWS):
            sl = slice(start, start + CHUNK_ROWS)
            outer = (xr[sl, :, None] * yr[sl, None, :]).view(-1, 256)
            torch.mm(outer, table.T, out=out[sl])
        return out

    @staticmethod
    def setup_context(ctx, inputs: tuple, output: torch.Tensor) -> None:
        ctx.save_for_backward(*inputs)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor | None, torch.Tensor | None, None]:
        xr, yr, table = ctx.saved_tensors
        if torch.is_grad_enabled():  # create_graph=True, which out= writes do not support
            table_x, table_y = _transposed_tables(table)
            need_x, need_y = ctx.needs_input_grad[:2]
            grad_x = _bilinear_rows(grad, yr, table_x) if need_x else None
            grad_y = _bilinear_rows(grad, xr, table_y) if need_y else None
            return grad_x, grad_y, None
        grad_x, grad_y = torch.empty_like(xr), torch.empty_like(yr)
        for start in range(0, xr.shape[0], CHUNK_ROWS):
            sl = slice(start, start + CHUNK_ROWS)
            coupling = (grad[sl] @ table).view(-1, 16, 16)  # d out / d (x_j y_k)
            torch.sum(coupling * yr[sl, None, :], dim=-1, out=grad_x[sl])
            torch.sum(coupling * xr[sl, :, None], dim=-2, out=grad_y[sl])
        return grad_x, grad_y, None


def _bilinear_rows(xr: torch.Tensor, yr: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    # (R, 16), (R, 16), (16, 256) -> (R, 16): the chunked Function where out= writes are allowed
    if torch.onnx.is_in_onnx_export() or in_functorch_transform():
        return _unchunked_product(xr, yr, table)
    return _PairedGeometricProduct.apply(xr, yr, table)


def paired_geometric_product(x: torch.Tensor, y: torch.Tensor, table: torch.Tensor | None = None) -> torch.Tensor:
    """Geometric product of matching channels, ``out_c = x_c y_c``.

    Always evaluated in float32 or higher: under autocast the inputs are upcast and the result
    is returned in float32.

    Parameters
    ----------
    x, y : torch.Tensor with shape (8, ..., 2 C)
        Multivectors in the paired layout, same shape.
    table : torch.Tensor with shape (16, 256) or None
        :func:`paired_product_table`, e.g. a module buffer (a compiled graph then takes it as an
        input instead of building it); made and cached per dtype and device when None.

    Returns
    -------
    torch.Tensor with shape (8, ..., 2 C)
    """
    if x.shape != y.shape or x.shape[0] != 8:
        raise ValueError(f"need two paired tensors of equal shape, got {tuple(x.shape)}, {tuple(y.shape)}")
    batch = x.shape[1:-1]
    dtype = torch.promote_types(torch.promote_types(x.dtype, y.dtype), torch.float32)
    with torch.autocast(x.device.type, enabled=False):
        x2 = x.to(dtype).reshape(8, -1, x.shape[-1])
        y2 = y.to(dtype).reshape(8, -1, y.shape[-1])
        table = _paired_table(dtype, x.device) if table is None else table.to(dtype)
        # items from a tensor's shape, which an ONNX trace keeps symbolic (batch.numel() is an int)
        rows = _bilinear_rows(_components_last(x2), _components_last(y2), table)
        out = _components_first(rows, x2.shape[1], x.shape[-1] // 2)
    return out.reshape(8, *batch, x.shape[-1])
