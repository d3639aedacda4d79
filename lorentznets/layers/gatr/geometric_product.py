"""Channel-wise geometric product of multivectors in the paired layout."""

from __future__ import annotations

import torch

from ...algebra import geometric_product_table
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


def _unchunked_product(x: torch.Tensor, y: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """The forward of :class:`_PairedGeometricProduct` in one piece, without ``out=`` writes,
    which torch's ONNX exporter drops (and a traced chunk loop would fix the number of rows)."""
    xr, yr = _components_last(x), _components_last(y)
    return _components_first((xr[:, :, None] * yr[:, None, :]).flatten(-2) @ table.T, x.shape[1], x.shape[-1] // 2)


class _PairedGeometricProduct(torch.autograd.Function):
    """out_i = sum_jk G_ijk x_j y_k as an outer product times the (16, 256) table, in chunks.

    A GEMM against the dense table costs 16x the necessary multiply-adds but runs at BLAS speed,
    which on CPU beats gathering the 256 nonzero products; chunking caps the outer-product
    buffer, and only the two inputs are kept for the backward pass.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, y: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
        items = x.shape[1]
        xr, yr = _components_last(x), _components_last(y)
        out = torch.empty_like(xr)
        for start in range(0, xr.shape[0], CHUNK_ROWS):
            sl = slice(start, start + CHUNK_ROWS)
            outer = (xr[sl, :, None] * yr[sl, None, :]).view(-1, 256)
            torch.mm(outer, table.T, out=out[sl])
        ctx.save_for_backward(xr, yr, table)
        ctx.items, ctx.channels = items, x.shape[-1] // 2
        return _components_first(out, items, ctx.channels)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, None]:
        xr, yr, table = ctx.saved_tensors
        gr = _components_last(grad)
        grad_x, grad_y = torch.empty_like(xr), torch.empty_like(yr)
        for start in range(0, xr.shape[0], CHUNK_ROWS):
            sl = slice(start, start + CHUNK_ROWS)
            coupling = (gr[sl] @ table).view(-1, 16, 16)  # d out / d (x_j y_k)
            torch.sum(coupling * yr[sl, None, :], dim=-1, out=grad_x[sl])
            torch.sum(coupling * xr[sl, :, None], dim=-2, out=grad_y[sl])
        items, channels = ctx.items, ctx.channels
        return _components_first(grad_x, items, channels), _components_first(grad_y, items, channels), None


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
        product = _unchunked_product if torch.onnx.is_in_onnx_export() else _PairedGeometricProduct.apply
        out = product(x2, y2, table)
    return out.reshape(8, *batch, x.shape[-1])
