"""L-GATr: the Lorentz-equivariant geometric algebra transformer (arXiv 2405.14806).

Numerics. In float64 the net is equivariant to ~1e-11 relative at boost rapidity 6 (6 blocks; tested). In
float32 the error grows with the boost, because boosted inputs have components of order
e^y |p| that cancel in the invariants. Measured (2026-11-23, 2-core CPU, 6 blocks, 16/32 channels,
4 jets x 30 random massive particles; median relative error of the invariant outputs against
float64 in the boosted frame, rapidity y = 0, 1, 2, 3, 4, 5, 6):

- momenta of unit scale: 2e-6, 5e-6, 3e-5, 3e-4, 2e-3, 1e-2, 0.1;
- momenta of 50 GeV scale (unnormalised): 6e-4, 3e-3, 2e-2, 9e-2, 0.1, 0.13, 0.23.

The official ``lgatr`` gives the same numbers within a factor 1.5 (the project measured about 10% for it at
rapidity 5). So: scale momenta to O(1) before embedding, and use float64 (or boost to a
reference frame first) when large boosts matter. Under bf16 autocast the matrix products run in
bf16 while layer norms, attention (Minkowski inner products, softmax), geometric products and
the output layer stay in float32. On CUDA packed batches attend through FlexAttention
(:mod:`lorentznets.layers.attention.flex`).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint

from ..data.input_checks import all_finite, empty_sets
from ..layers.arguments import ArgumentError, check_at_least, check_probability
from ..layers.attention import PackedSegments, check_offsets, event_block_mask, resolve_backend
from ..layers.gatr.block import LGATrBlock
from ..layers.gatr.config import AttentionConfig, MLPConfig
from ..layers.gatr.layout import from_paired, to_paired
from ..layers.gatr.linear import EquivariantLinear
from ..utils.value_sized import value_sized_allowed
from .input_layout import check_float_input


class LGATr(nn.Module):
    """Lorentz-equivariant transformer on multivector and scalar channels of a set of particles.

    An equivariant linear input layer, ``num_blocks`` :class:`LGATrBlock` (geometric attention and
    geometric MLP with pre-norm residuals), and an equivariant linear output layer. Argument
    names follow the official ``lgatr.LGATr``; its state dicts load through
    :func:`lorentznets.compat.lgatr.load_lgatr_state_dict`.

    Three batch formats:

    - dense: ``multivectors (..., N, C_in, 16)``, every item real;
    - padded: ``(B, N, C_in, 16)`` with ``mask (B, N)``; by default the real items are packed
      internally so that padding costs nothing, and the outputs at padding are zero;
    - packed: ``(T, C_in, 16)`` with ``offsets (B + 1,)``, event b owning items
      ``offsets[b]:offsets[b + 1]``.

    Parameters
    ----------
    num_blocks : int
    in_mv_channels, out_mv_channels, hidden_mv_channels : int
    in_s_channels, out_s_channels, hidden_s_channels : int
        Scalar channels; 0 for none.
    attention : AttentionConfig or mapping
    mlp : MLPConfig or mapping
    subgroup : bool
        Equivariance under the proper orthochronous group (True, as ``lgatr``) or the full group.
    dropout_prob : float or None
    norm_elementwise_affine : bool
    checkpoint_blocks : bool
        Recompute blocks in the backward pass to save memory.
    pack_padded : bool
        Pack the real items of padded batches internally in eager CPU runs (faster with much
        padding; see :meth:`forward`).

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for a block or channel count out of
        range, ``dropout_prob`` outside [0, 1), or a bad field of ``attention`` or ``mlp`` (named
        ``attention.num_heads`` and the like).

    Notes
    -----
    Higher derivatives: the backward passes of the geometric product's and the linear maps'
    custom autograd Functions are themselves differentiable, so a loss on
    ``torch.autograd.grad(..., create_graph=True)`` (a divergence penalty of a flow, force matching)
    trains the net, in eager mode (torch.compile's AOTAutograd has no double backward). torch's
    fused attention kernels have no double backward either: for such losses run the forward under
    ``torch.nn.attention.sdpa_kernel(SDPBackend.MATH)`` with attention backend "pad" or
    "block_mask" (FlexAttention, the CUDA default of "auto", has no backward on CPU, and its double
    backward on CUDA is untested). ``torch.func`` transforms (``grad``, ``jacrev``, ``jacfwd``,
    ``vmap``) run the Functions' pure-torch forms instead.
    """

    def __init__(
        self,
        num_blocks: int,
        in_mv_channels: int,
        out_mv_channels: int,
        hidden_mv_channels: int,
        in_s_channels: int,
        out_s_channels: int,
        hidden_s_channels: int,
        attention: AttentionConfig | Mapping,
        mlp: MLPConfig | Mapping,
        subgroup: bool = True,
        dropout_prob: float | None = None,
        norm_elementwise_affine: bool = True,
        checkpoint_blocks: bool = False,
        pack_padded: bool = True,
    ) -> None:
        super().__init__()
        attention, mlp = _cast(AttentionConfig, "attention", attention), _cast(MLPConfig, "mlp", mlp)
        for name, value, minimum in (
            ("num_blocks", num_blocks, 1),
            ("in_mv_channels", in_mv_channels, 1),
            ("out_mv_channels", out_mv_channels, 1),
            ("hidden_mv_channels", hidden_mv_channels, 1),
            ("in_s_channels", in_s_channels, 0),
            ("out_s_channels", out_s_channels, 0),
            ("hidden_s_channels", hidden_s_channels, 0),
        ):
            check_at_least(name, value, minimum)
        if dropout_prob is not None:
            check_probability("dropout_prob", dropout_prob)
        self.in_mv_channels, self.in_s_channels = in_mv_channels, in_s_channels
        self.checkpoint_blocks, self.pack_padded = checkpoint_blocks, pack_padded
        self.attention_backend = attention.backend
        self.linear_in = EquivariantLinear(
            in_mv_channels, hidden_mv_channels, in_s_channels, hidden_s_channels, subgroup=subgroup
        )
        self.blocks = nn.ModuleList(
            LGATrBlock(
                hidden_mv_channels,
                hidden_s_channels,
                attention,
                mlp,
                subgroup,
                dropout_prob,
                norm_elementwise_affine,
            )
            for _ in range(num_blocks)
        )
        self.linear_out = EquivariantLinear(
            hidden_mv_channels, out_mv_channels, hidden_s_channels, out_s_channels, subgroup=subgroup
        )

    def forward(
        self,
        multivectors: torch.Tensor,
        scalars: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        offsets: torch.Tensor | None = None,
        max_length: int | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Run the net.

        Only shapes are checked (free); tensor values are not read, because reading them stalls a
        GPU and breaks ``torch.compile`` graphs: check data where they enter (:meth:`check_inputs`).

        Padded batches are packed internally (``pack_padded``) only in eager CPU runs: packing
        needs the number of real items on the host. On CUDA, under ``torch.compile`` and in an
        ONNX export they run padded with a key mask; give packed batches (``offsets``) to get the
        packed speed there.

        Parameters
        ----------
        multivectors : torch.Tensor with shape (..., N, in_mv_channels, 16) or (T, in_mv_channels, 16)
        scalars : torch.Tensor with shape (..., N, in_s_channels), (T, in_s_channels), or None
        mask : torch.Tensor with shape (B, N), bool, or None
            True for real items; padded ones are read as zeros (any value, NaN included, may fill
            them) and their outputs are zero.
        offsets : torch.Tensor with shape (B + 1,), int64, or None
            Packed batch (exclusive with ``mask``).
        max_length : int or None
            Largest event size of a packed batch (a collate function knows it); without it the
            CPU attention backend reads it from ``offsets`` (a synchronisation).

        Returns
        -------
        multivectors : torch.Tensor with shape (..., N, out_mv_channels, 16) (or (T, ...))
        scalars : torch.Tensor with shape (..., N, out_s_channels), or None if out_s_channels == 0
        """
        self._check_shapes(multivectors, scalars, mask, offsets)
        if offsets is not None:
            num_items = multivectors.shape[0]
            if resolve_backend(self.attention_backend, multivectors.device) != "pad":
                max_length = num_items  # only "pad" pads; an upper bound avoids a synchronisation
            segments = PackedSegments.from_offsets(offsets, num_items, max_length, validate=False)
            return self._run(multivectors, scalars, segments, None)
        if mask is None:
            return self._run(multivectors, scalars, None, None)
        packs = self.pack_padded and value_sized_allowed(multivectors)
        if not packs:
            # padded items may hold anything (NaN included): zero them, or 0 * NaN in the masked
            # attention reaches the real items (the packed path below never reads them)
            multivectors = multivectors.masked_fill(~mask[..., None, None], 0.0)
            scalars = None if scalars is None else scalars.masked_fill(~mask[..., None], 0.0)
            out_mv, out_s = self._run(multivectors, scalars, None, mask)
            keep = mask.unsqueeze(-1)
            return out_mv * keep.unsqueeze(-1), None if out_s is None else out_s * keep
        segments = PackedSegments.from_mask(mask, validate=False)
        flat = mask.flatten()
        packed_s = None if scalars is None else scalars.flatten(0, 1)[flat]
        out_mv, out_s = self._run(multivectors.flatten(0, 1)[flat], packed_s, segments, None)
        return self._scatter(out_mv, mask), None if out_s is None else self._scatter(out_s, mask)

    def _run(self, multivectors, scalars, segments, key_mask):
        if segments is not None and resolve_backend(self.attention_backend, multivectors.device) == "flex":
            segments = segments.with_block_mask(event_block_mask(segments))  # once for all blocks
        h_mv, h_s = self.linear_in(to_paired(multivectors), scalars)
        for block in self.blocks:
            if self.checkpoint_blocks and torch.is_grad_enabled():
                h_mv, h_s = checkpoint(block, h_mv, h_s, segments, key_mask, use_reentrant=False)
            else:
                h_mv, h_s = block(h_mv, h_s, segments, key_mask)
        # Outputs (logits, regressed values) in float32 or higher, also under autocast.
        with torch.autocast(h_mv.device.type, enabled=False):
            out_mv, out_s = self.linear_out(_at_least_float32(h_mv), _at_least_float32(h_s))
        return from_paired(out_mv), out_s

    @staticmethod
    def _scatter(packed: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = packed.new_zeros(mask.numel(), *packed.shape[1:])
        out[mask.flatten()] = packed
        return out.unflatten(0, mask.shape)

    def _check_shapes(self, multivectors, scalars, mask, offsets) -> None:
        shape = tuple(multivectors.shape)
        if multivectors.dim() < 3 or shape[-2:] != (self.in_mv_channels, 16):
            raise ValueError(f"multivectors must have shape (..., items, {self.in_mv_channels}, 16), got {shape}")
        if self.in_s_channels:
            if scalars is None or tuple(scalars.shape) != shape[:-2] + (self.in_s_channels,):
                got = None if scalars is None else tuple(scalars.shape)
                raise ValueError(f"scalars must have shape {shape[:-2] + (self.in_s_channels,)}, got {got}")
        elif scalars is not None:
            raise ValueError(f"net built with in_s_channels=0 got scalars of shape {tuple(scalars.shape)}")
        if mask is not None and offsets is not None:
            raise ValueError("give either mask (padded batch) or offsets (packed batch), not both")
        if mask is not None and (mask.dtype != torch.bool or tuple(mask.shape) != shape[:2] or len(shape) != 4):
            raise ValueError(
                f"mask must be bool with shape {shape[:2]} for multivectors {shape}, got "
                f"{mask.dtype} {tuple(mask.shape)}"
            )
        if offsets is not None and len(shape) != 3:
            raise ValueError(f"packed multivectors must have shape (T, {self.in_mv_channels}, 16), got {shape}")
        dtype = self.linear_in.weight.dtype
        for name, x in (("multivectors", multivectors), ("scalars", scalars)):
            if x is not None:
                check_float_input("LGATr", name, x, dtype)

    def check_inputs(
        self,
        multivectors: torch.Tensor,
        scalars: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        offsets: torch.Tensor | None = None,
    ) -> None:
        """Raise a clear ``ValueError`` for inputs :meth:`forward` cannot handle.

        Checks shapes, finite values, non-empty events and valid offsets. Reads tensor values (a
        host-device synchronisation): call it where the data enter, e.g. on the first batch.

        Parameters
        ----------
        multivectors, scalars, mask, offsets
            As for :meth:`forward`.
        """
        self._check_shapes(multivectors, scalars, mask, offsets)
        if multivectors.numel() == 0:
            raise ValueError(f"the batch is empty: multivectors of shape {tuple(multivectors.shape)}")
        if not all_finite(multivectors):
            raise ValueError("multivectors contain NaN or inf")
        if scalars is not None and not all_finite(scalars):
            raise ValueError("scalars contain NaN or inf")
        if mask is not None and empty_sets(mask):
            raise ValueError(f"mask has empty events at {empty_sets(mask)}")
        if offsets is not None:
            check_offsets(offsets, multivectors.shape[0])


def _cast(config_class: type, name: str, config: object):
    """``config_class.cast(config)``, its range errors named as fields of the argument ``name``."""
    try:
        return config_class.cast(config)
    except ArgumentError as error:
        raise error.within(name) from None


def _at_least_float32(x: torch.Tensor | None) -> torch.Tensor | None:
    return None if x is None else x.to(torch.promote_types(x.dtype, torch.float32))
