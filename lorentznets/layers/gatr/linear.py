"""Lorentz-equivariant linear layer on multivectors with an auxiliary scalar stream."""

from __future__ import annotations

import math

import torch
from torch import nn

from ...algebra import equivariant_linear_basis
from ...utils.value_sized import in_functorch_transform
from .layout import PAIR_COMPONENTS, scalar_slots

_INITIALIZATIONS = {
    # name: (multivector scale, scalar scale, shift of the scalar-component bias)
    "default": (1.0, 1.0, 0.0),
    "small": (0.1, 0.1, 0.0),
    "unit_scalar": (0.1, 1.0, 1.0),
    "almost_unit_scalar": (0.5, 1.0, 1.0),
}


def _pair_basis(subgroup: bool) -> tuple[torch.Tensor, torch.Tensor]:
    # The basis restricted to the 2x2 blocks of component pairs, shape (8, 2, 2, n_basis) as
    # [pair, out slot, in slot, element]; also checks that no element leaves its pair, which is
    # what makes the paired layout exact.
    basis = equivariant_linear_basis(include_pseudoscalar_maps=subgroup, dtype=torch.float64)
    rows = PAIR_COMPONENTS[:, :, None].expand(8, 2, 2)
    cols = PAIR_COMPONENTS[:, None, :].expand(8, 2, 2)
    blocks = basis[:, rows, cols].permute(1, 2, 3, 0)
    if not torch.isclose(blocks.abs().sum(), basis.abs().sum()):
        raise RuntimeError("equivariant linear basis mixes components outside Hodge pairs")
    # Elements that write into pair 0 (scalar or pseudoscalar outputs).
    to_invariants = blocks[0].abs().sum((0, 1)) > 0
    return blocks.float(), to_invariants


def _paired_linear_out_of_place(x, blocks, scalars, s_weight, s_bias, mv_bias, inv_weight, slots):
    """The forward of :class:`_PairedLinear` without writes into slices, the same values up to
    float rounding: torch's ONNX exporter turns such writes into graphs of the traced shape, and
    ``torch.func`` transforms need autograd's own rules (forward mode, ``vmap``)."""
    out = torch.bmm(x, blocks)
    width = out.shape[-1]
    pair_0 = out[0]
    if s_weight is not None:
        head = scalars @ s_weight.T
        pair_0 = pair_0 + nn.functional.pad(head, (0, width - head.shape[-1]))
        if s_bias is not None:
            pair_0 = pair_0 + nn.functional.pad(s_bias, (0, width - s_bias.shape[-1]))
    elif mv_bias is not None:
        pair_0 = pair_0 + nn.functional.pad(mv_bias, (0, width - mv_bias.shape[-1]))
    out = torch.cat((pair_0[None], out[1:]))
    out_s = None if inv_weight is None else x[0, :, : slots * x.shape[-1] // 2] @ inv_weight.T
    return out, out_s


class _PairedLinear(torch.autograd.Function):
    """Batched block product plus the scalar couplings of pair 0, with a hand-written backward.

    Doing the pair-0 reads and writes inside one Function avoids what autograd would do for
    slices of the activations: zero-filled full-size gradient buffers and copies per layer.
    The backward is made of autograd-tracked ops on the saved inputs (its one in-place add goes
    into a fresh product), so under ``create_graph=True`` it builds a graph: second derivatives.
    """

    @staticmethod
    def forward(ctx, x, blocks, scalars, s_weight, s_bias, mv_bias, inv_weight, slots):
        out = torch.bmm(x, blocks)
        in_width, out_width = slots * x.shape[-1] // 2, slots * out.shape[-1] // 2
        head = out[0, :, :out_width]
        if s_weight is not None:
            head.addmm_(scalars, s_weight.T)
            if s_bias is not None:
                head.add_(s_bias)
        elif mv_bias is not None:
            out[0, :, : mv_bias.shape[0]].add_(mv_bias)
        out_s = None if inv_weight is None else x[0, :, :in_width] @ inv_weight.T
        ctx.save_for_backward(x, blocks, scalars, s_weight, inv_weight)
        ctx.widths = (in_width, out_width)
        ctx.has_biases = (s_bias is not None, mv_bias is not None)
        ctx.mv_bias_width = 0 if mv_bias is None else mv_bias.shape[0]
        return out, out_s

    @staticmethod
    def backward(ctx, grad_out, grad_s):
        # The forward fixed the dtypes; a backward called inside an autocast region must not recast.
        with torch.autocast(grad_out.device.type, enabled=False):
            return _PairedLinear._backward(ctx, grad_out, grad_s)

    @staticmethod
    def _backward(ctx, grad_out, grad_s):
        x, blocks, scalars, s_weight, inv_weight = ctx.saved_tensors
        in_width, out_width = ctx.widths
        need = ctx.needs_input_grad
        grad_x = grad_blocks = grad_scalars = grad_s_weight = grad_s_bias = grad_mv_bias = None
        grad_inv = None
        if need[0]:
            grad_x = torch.bmm(grad_out, blocks.transpose(1, 2))
            if inv_weight is not None and grad_s is not None:
                grad_x[0, :, :in_width].addmm_(grad_s, inv_weight)
        if need[1]:
            grad_blocks = torch.bmm(x.transpose(1, 2), grad_out)
        head = grad_out[0, :, :out_width]
        if s_weight is not None:
            grad_scalars = head @ s_weight if need[2] else None
            grad_s_weight = head.T @ scalars if need[3] else None
            grad_s_bias = head.sum(0) if ctx.has_biases[0] and need[4] else None
        elif ctx.has_biases[1] and need[5]:
            grad_mv_bias = grad_out[0, :, : ctx.mv_bias_width].sum(0)
        if inv_weight is not None and grad_s is not None and need[6]:
            grad_inv = grad_s.T @ x[0, :, :in_width]
        return (grad_x, grad_blocks, grad_scalars, grad_s_weight, grad_s_bias, grad_mv_bias, grad_inv, None)


class EquivariantLinear(nn.Module):
    """Most general Lorentz-equivariant linear map of multivector and scalar channels.

    Multivector outputs are ``y_o = sum_{i, e} W[o, i, e] B_e(x_i)`` with the basis maps ``B_e`` of
    :func:`lorentznets.algebra.equivariant_linear_basis` (10 for the proper orthochronous group:
    grade projections and their pseudoscalar multiples; 5 with ``subgroup=False``). Auxiliary
    scalars mix with the invariant components (scalar, and pseudoscalar when ``subgroup``) in both
    directions, and a bias acts on the scalar component only.

    Works on the paired layout (:mod:`lorentznets.layers.gatr.layout`), where the map is one
    batched matrix product with eight (2 C_in, 2 C_out) blocks folded from the grade weights on
    every call: 32 C_in C_out multiply-adds per item instead of 256 C_in C_out for a dense 16x16
    block per channel pair.

    Parameters
    ----------
    in_mv_channels, out_mv_channels : int
        Multivector channels (at least 1).
    in_s_channels, out_s_channels : int
        Auxiliary scalar channels (0 for none).
    bias : bool
        Bias on the scalar component and on scalar outputs.
    subgroup : bool
        Equivariance under the proper orthochronous group only (True) or the full Lorentz group.
    initialization : str
        "default" (variance preserving), "small" (10x smaller outputs), "unit_scalar" or
        "almost_unit_scalar" (outputs near the unit scalar, through the bias).
    """

    def __init__(
        self,
        in_mv_channels: int,
        out_mv_channels: int,
        in_s_channels: int = 0,
        out_s_channels: int = 0,
        bias: bool = True,
        subgroup: bool = True,
        initialization: str = "default",
    ) -> None:
        super().__init__()
        if in_mv_channels < 1 or out_mv_channels < 1:
            raise ValueError(f"need at least one multivector channel, got in={in_mv_channels}, out={out_mv_channels}")
        if initialization not in _INITIALIZATIONS:
            choices = list(_INITIALIZATIONS)
            raise ValueError(f"unknown initialization {initialization!r}; choose from {choices}")
        if initialization.endswith("unit_scalar") and not bias:
            raise ValueError(f"initialization {initialization!r} needs bias=True")
        self.in_mv_channels, self.out_mv_channels = in_mv_channels, out_mv_channels
        self.in_s_channels, self.out_s_channels = in_s_channels, out_s_channels
        self.subgroup = subgroup
        self.slots = scalar_slots(subgroup)
        blocks, to_invariants = _pair_basis(subgroup)
        self.register_buffer("pair_basis", blocks, persistent=False)
        self.register_buffer("to_invariants", to_invariants, persistent=False)

        self.weight = nn.Parameter(torch.empty(out_mv_channels, in_mv_channels, blocks.shape[-1]))
        # The scalar-to-multivector map carries the bias when there are scalar inputs.
        has_s_in, has_s_out = in_s_channels > 0, out_s_channels > 0
        self.bias_mv = nn.Parameter(torch.zeros(out_mv_channels)) if bias and not has_s_in else None
        slots = self.slots
        self.s_to_mv = nn.Linear(in_s_channels, slots * out_mv_channels, bias) if has_s_in else None
        self.mv_to_s = nn.Linear(slots * in_mv_channels, out_s_channels, bias) if has_s_out else None
        both = has_s_in and has_s_out
        self.s_to_s = nn.Linear(in_s_channels, out_s_channels, bias=False) if both else None
        self.reset_parameters(initialization)

    @torch.no_grad()
    def reset_parameters(self, initialization: str = "default") -> None:
        """Initialise so that, for unit-variance inputs, outputs have the scheme's variance."""
        mv_scale, s_scale, shift = _INITIALIZATIONS[initialization]
        bound = mv_scale / math.sqrt(self.in_mv_channels)
        nn.init.uniform_(self.weight, -bound, bound)
        if self.s_to_mv is not None:
            # Multivector and scalar inputs each contribute half of the invariant outputs' variance.
            self.weight[..., self.to_invariants] /= math.sqrt(2)
            bound = mv_scale / math.sqrt(2 * self.in_s_channels)
            nn.init.uniform_(self.s_to_mv.weight, -bound, bound)
            if self.s_to_mv.bias is not None:
                bound = 1 / math.sqrt(self.in_s_channels + self.in_mv_channels)
                nn.init.uniform_(self.s_to_mv.bias, shift - bound, shift + bound)
        elif self.bias_mv is not None:
            bound = 1 / math.sqrt(self.in_mv_channels)
            nn.init.uniform_(self.bias_mv, shift - bound, shift + bound)
        maps = [m for m in (self.mv_to_s, self.s_to_s) if m is not None]
        for m in maps:
            bound = s_scale / math.sqrt(m.in_features * len(maps))
            nn.init.uniform_(m.weight, -bound, bound)
        if self.mv_to_s is not None and self.mv_to_s.bias is not None:
            bound = s_scale / math.sqrt(sum(m.in_features for m in maps))
            nn.init.uniform_(self.mv_to_s.bias, -bound, bound)

    def pair_weights(self) -> torch.Tensor:
        """The map as eight blocks acting on the paired layout.

        Returns
        -------
        torch.Tensor with shape (8, 2 * in_mv_channels, 2 * out_mv_channels)
        """
        blocks = torch.einsum("pabe,oie->pbiao", self.pair_basis.to(self.weight.dtype), self.weight)
        return blocks.reshape(8, 2 * self.in_mv_channels, 2 * self.out_mv_channels)

    def forward(
        self, multivectors: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Apply the map.

        Parameters
        ----------
        multivectors : torch.Tensor with shape (8, ..., 2 * in_mv_channels)
            Paired layout.
        scalars : torch.Tensor with shape (..., in_s_channels) or None
            Required if and only if ``in_s_channels > 0``.

        Returns
        -------
        multivectors : torch.Tensor with shape (8, ..., 2 * out_mv_channels)
        scalars : torch.Tensor with shape (..., out_s_channels), or None if out_s_channels == 0
        """
        if multivectors.shape[0] != 8 or multivectors.shape[-1] != 2 * self.in_mv_channels:
            raise ValueError(
                f"multivectors must have shape (8, ..., {2 * self.in_mv_channels}) in the paired "
                f"layout, got {tuple(multivectors.shape)}"
            )
        if (scalars is None) != (self.in_s_channels == 0):
            got = None if scalars is None else tuple(scalars.shape)
            raise ValueError(f"layer built with in_s_channels={self.in_s_channels} got scalars {got}")
        batch = multivectors.shape[1:-1]
        device = multivectors.device.type
        autocast = torch.is_autocast_enabled(device)
        dtype = torch.get_autocast_dtype(device) if autocast else multivectors.dtype

        def cast(t):
            return None if t is None else t.to(dtype)

        x = multivectors.reshape(8, -1, 2 * self.in_mv_channels)
        flat_s = None if scalars is None else scalars.reshape(-1, self.in_s_channels)
        s_to_mv, mv_to_s = self.s_to_mv, self.mv_to_s
        # torch's ONNX exporter cannot inline an autograd Function with a None output.
        out_of_place = torch.onnx.is_in_onnx_export() or in_functorch_transform()
        paired_linear = _paired_linear_out_of_place if out_of_place else _PairedLinear.apply
        with torch.autocast(device, enabled=False):
            out, out_s = paired_linear(
                cast(x),
                cast(self.pair_weights()),
                cast(flat_s),
                None if s_to_mv is None else cast(s_to_mv.weight),
                None if s_to_mv is None else cast(s_to_mv.bias),
                cast(self.bias_mv),
                None if mv_to_s is None else cast(mv_to_s.weight),
                self.slots,
            )
        out = out.reshape(8, *batch, 2 * self.out_mv_channels)
        if out_s is None:
            return out, None
        if mv_to_s.bias is not None:
            out_s = out_s + mv_to_s.bias.to(out_s.dtype)
        if self.s_to_s is not None:
            out_s = out_s + self.s_to_s(flat_s).to(out_s.dtype)
        return out, out_s.reshape(*batch, self.out_s_channels)
