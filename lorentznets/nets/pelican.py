"""PELICAN: permutation-equivariant, Lorentz-invariant or -covariant aggregator networks.

arXiv 2211.00454 and 2307.16506. The network sees the momenta only through their pairwise
Minkowski products, so the invariant heads are exactly Lorentz invariant (without beams) and the
covariant head, a weighted sum of the input momenta with invariant weights, is exactly covariant.
Pair features are dense (B, N, N, C); padding columns that no jet in the batch uses are dropped
before the first layer, so the cost follows the longest jet in the batch, not the padded size.
"""

from __future__ import annotations

import torch
from torch import nn

from ..data.input_checks import all_finite, empty_sets
from ..layers.arguments import check_at_least, check_choice, check_positive, check_probability
from ..layers.pelican import (
    DotProductEncoder,
    Equivariant1to2,
    Equivariant2to0,
    Equivariant2to1,
    PELICANBlock,
    append_beams,
)
from ..lorentz import pairwise_dots
from ..utils.padding import zero_padding
from ..utils.value_sized import value_sized_allowed
from .input_layout import check_float_input

_READOUTS = ("jet", "particle")


class PELICANBackbone(nn.Module):
    """Input encoding and the stack of 2->2 blocks shared by all PELICAN heads.

    Parameters
    ----------
    hidden_channels : int
        Pair channels between blocks.
    message_channels : int
        Pair channels inside each block (input of the 2->2 aggregation).
    num_blocks : int
    encoder_channels : int
        Channels of the dot-product encoder.
    in_scalar_channels : int
        Per-particle input features (e.g. particle-ID one-hots); 0 for none.
    scalar_channels : int
        Pair channels the particle features (and beam labels) are lifted to.
    beams : bool
        Append the beam vectors (1, 0, 0, +-1); the network is then invariant only under
        rotations about the beam (z) axis.
    average_particles : float
        N_avg of the (n / N_avg) ** alpha rescaling of every aggregation.
    momentum_scale : float
        Momenta are divided by this (GeV) before taking dot products.
    dropout : float

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for a channel or block count < 1, or
        ``average_particles`` or ``momentum_scale`` <= 0.
    """

    def __init__(
        self,
        hidden_channels: int = 60,
        message_channels: int = 35,
        num_blocks: int = 5,
        encoder_channels: int = 20,
        in_scalar_channels: int = 0,
        scalar_channels: int = 4,
        beams: bool = False,
        average_particles: float = 49.0,
        momentum_scale: float = 1.0,
        dropout: float = 0.0,
    ):
        super().__init__()
        for name, value in (
            ("hidden_channels", hidden_channels),
            ("message_channels", message_channels),
            ("num_blocks", num_blocks),
            ("encoder_channels", encoder_channels),
            ("scalar_channels", scalar_channels),
        ):
            check_at_least(name, value, 1)
        check_at_least("in_scalar_channels", in_scalar_channels, 0)
        # N_avg <= 0 gives NaN multiplicity factors, which showed only as a diverging training
        check_positive("average_particles", average_particles)
        check_positive("momentum_scale", momentum_scale)
        check_probability("dropout", dropout)
        self.in_scalar_channels = in_scalar_channels
        self.beams = beams
        self.momentum_scale = float(momentum_scale)
        self.hidden_channels = hidden_channels
        self.encoder = DotProductEncoder(encoder_channels)
        label_channels = in_scalar_channels + (2 if beams else 0)
        self.lift = Equivariant1to2(label_channels, scalar_channels, average_particles) if label_channels > 0 else None
        in_channels = encoder_channels + (scalar_channels if self.lift is not None else 0)
        self.blocks = nn.ModuleList(
            PELICANBlock(
                in_channels if k == 0 else hidden_channels,
                message_channels,
                hidden_channels,
                average_particles,
                dropout,
            )
            for k in range(num_blocks)
        )

    def forward(
        self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Encode a batch of particle sets into pair features.

        The dot products and their encoding run in float32 or higher, also under autocast: they
        span many orders of magnitude.

        Parameters
        ----------
        p : torch.Tensor with shape (B, N, 4)
            Momenta (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
            True for real particles; padded slots are read as zeros (any value, NaN included, may fill
            them).
        scalars : torch.Tensor with shape (B, N, S), optional

        Returns
        -------
        pairs : torch.Tensor with shape (B, N', N', hidden_channels)
            N' = N + 2 with beams (the beams come first), else N.
        mask : torch.Tensor with shape (B, N'), bool
        """
        p, scalars = self.padded_inputs(p, mask, scalars)
        return self.run_checked(p, mask, scalars)

    def padded_inputs(
        self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The inputs of :meth:`forward` with their shapes and dtypes checked, zero in the padded
        slots (which may hold anything, NaN included: 0 * NaN would reach the real particles) and in
        float32 or higher.

        Parameters
        ----------
        p : torch.Tensor with shape (B, N, 4)
            (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, S), optional

        Returns
        -------
        p : torch.Tensor with shape (B, N, 4), in GeV
        scalars : torch.Tensor with shape (B, N, S), or None
        """
        _check_shapes(p, mask, scalars, self.in_scalar_channels, self.encoder.alpha.dtype)
        p = zero_padding(p, mask, torch.promote_types(p.dtype, torch.float32))
        if scalars is not None:
            scalars = zero_padding(scalars, mask, torch.promote_types(scalars.dtype, torch.float32))
        return p, scalars

    def run_checked(
        self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`forward` on :meth:`padded_inputs` (for a head that needs them too).

        Parameters
        ----------
        p : torch.Tensor with shape (B, N, 4)
            Zero-padded, in GeV.
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, S), optional
            Zero-padded.

        Returns
        -------
        pairs : torch.Tensor with shape (B, N', N', hidden_channels)
            N' = N + 2 with beams (the beams come first), else N.
        mask : torch.Tensor with shape (B, N'), bool
        """
        p = p / self.momentum_scale
        labels = scalars
        if self.beams:
            p, mask, labels = append_beams(p, mask, scalars)
        pair_mask = mask[:, :, None] & mask[:, None, :]
        with torch.autocast(p.device.type, enabled=False):
            x = self.encoder(pairwise_dots(p, mask), pair_mask)
        if self.lift is not None:
            x = torch.cat((x, self.lift(labels, mask)), dim=-1)
        for block in self.blocks:
            x = block(x, mask)
        return x, mask

    def check_inputs(self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> None:
        """Raise a clear ``ValueError`` for inputs :meth:`forward` cannot handle.

        Checks shapes, that every set has a real particle and that real momenta are finite.
        Reads tensor values (a host-device synchronisation): call it where the data enter, not
        per training step; ``forward`` checks shapes only.

        Parameters
        ----------
        p : torch.Tensor with shape (B, N, 4)
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, S), optional
        """
        _check_shapes(p, mask, scalars, self.in_scalar_channels, self.encoder.alpha.dtype)
        if p.shape[0] == 0:
            raise ValueError(f"PELICAN: the batch is empty: momenta of shape {tuple(p.shape)}")
        if empty_sets(mask):
            raise ValueError(f"PELICAN: set {empty_sets(mask)[0]} of the batch has no real particles")
        if not all_finite(p[mask]):
            raise ValueError("PELICAN: momenta p contain NaN or inf for real (unmasked) particles")


class PELICAN(nn.Module):
    """Lorentz-invariant PELICAN with a jet-level (2->0) or per-particle (2->1) output.

    Parameters
    ----------
    out_channels : int
    readout : str
        ``"jet"`` for (B, out_channels), ``"particle"`` for (B, N, out_channels).
    readout_channels : int
        Width of the equivariant readout before the final MLP / linear map.
    **backbone
        Arguments of :class:`PELICANBackbone`.

    Examples
    --------
    >>> net = PELICAN(out_channels=1, hidden_channels=8, message_channels=8, num_blocks=2)
    >>> p = torch.randn(2, 5, 4).abs() + torch.tensor([10.0, 0, 0, 0])
    >>> net(p, torch.ones(2, 5, dtype=torch.bool)).shape
    torch.Size([2, 1])
    """

    def __init__(
        self,
        out_channels: int,
        readout: str = "jet",
        readout_channels: int = 30,
        dropout: float = 0.0,
        **backbone,
    ):
        super().__init__()
        check_choice("readout", readout, _READOUTS)
        check_at_least("out_channels", out_channels, 1)
        check_at_least("readout_channels", readout_channels, 1)
        self.readout = readout
        self.backbone = PELICANBackbone(dropout=dropout, **backbone)
        hidden = self.backbone.hidden_channels
        average = self.backbone.blocks[0].aggregation.average_particles
        if readout == "jet":
            self.aggregate = Equivariant2to0(hidden, readout_channels, average)
        else:
            self.aggregate = Equivariant2to1(hidden, readout_channels, average)
        self.head = nn.Sequential(
            nn.LeakyReLU(0.01),
            nn.Dropout(dropout),
            nn.Linear(readout_channels, readout_channels),
            nn.LeakyReLU(0.01),
            nn.Linear(readout_channels, out_channels),
        )

    def forward(self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> torch.Tensor:
        """Invariant outputs.

        Parameters
        ----------
        p : torch.Tensor with shape (B, N, 4)
            Momenta (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
            True for real particles.
        scalars : torch.Tensor with shape (B, N, S), optional
            Per-particle features (``in_scalar_channels`` of them).

        Returns
        -------
        torch.Tensor with shape (B, out_channels) for ``readout="jet"``, or (B, N, out_channels)
        with zeros for padded particles for ``readout="particle"``.
        """
        p, mask, scalars, keep = _drop_unused_padding(p, mask, scalars)
        pairs, pair_mask = self.backbone(p, mask, scalars)
        if self.readout == "jet":
            return _head(self.head, self.aggregate(pairs, pair_mask))
        offset = 2 if self.backbone.beams else 0
        out = _head(self.head, self.aggregate(pairs, pair_mask))[:, offset:] * mask[..., None]
        return _restore_padding(out, keep)

    def check_inputs(self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> None:
        """See :meth:`PELICANBackbone.check_inputs`."""
        self.backbone.check_inputs(p, mask, scalars)


class PELICANRegressor(nn.Module):
    """Lorentz-covariant PELICAN: predicts a four-vector sum_i (1 + c_i) p_i with invariant c_i.

    The weights c_i come from a 2->1 readout; the offset 1 makes the untrained prediction the
    total momentum of the set, the natural first guess for a jet's parent. Only real particles
    enter the sum (never the beams), so the output transforms exactly as a four-vector under
    every Lorentz transformation the weights are invariant under.

    Parameters
    ----------
    readout_channels : int
    dropout : float
    **backbone
        Arguments of :class:`PELICANBackbone`.
    """

    def __init__(self, readout_channels: int = 30, dropout: float = 0.0, **backbone):
        super().__init__()
        check_at_least("readout_channels", readout_channels, 1)
        self.backbone = PELICANBackbone(dropout=dropout, **backbone)
        hidden = self.backbone.hidden_channels
        average = self.backbone.blocks[0].aggregation.average_particles
        self.aggregate = Equivariant2to1(hidden, readout_channels, average)
        self.head = nn.Sequential(
            nn.LeakyReLU(0.01),
            nn.Dropout(dropout),
            nn.Linear(readout_channels, readout_channels),
            nn.LeakyReLU(0.01),
            nn.Linear(readout_channels, 1),
        )

    def forward(self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> torch.Tensor:
        """Predict one four-vector per set.

        Parameters
        ----------
        p : torch.Tensor with shape (B, N, 4)
            Momenta (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, S), optional

        Returns
        -------
        torch.Tensor with shape (B, 4), in GeV.
        """
        p, scalars = self.backbone.padded_inputs(p, mask, scalars)
        weights = self._weights(p, mask, scalars)
        dtype = torch.promote_types(weights.dtype, p.dtype)
        with torch.autocast(p.device.type, enabled=False):
            return torch.einsum("bn,bnd->bd", weights.to(dtype), p.to(dtype))

    def check_inputs(self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None) -> None:
        """See :meth:`PELICANBackbone.check_inputs`."""
        self.backbone.check_inputs(p, mask, scalars)

    def particle_weights(
        self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The invariant weights 1 + c_i of the prediction.

        Returns
        -------
        torch.Tensor with shape (B, N), zero for padded particles.
        """
        p, scalars = self.backbone.padded_inputs(p, mask, scalars)
        return self._weights(p, mask, scalars)

    def _weights(self, p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None) -> torch.Tensor:
        p_kept, mask_kept, scalars, keep = _drop_unused_padding(p, mask, scalars)
        pairs, pair_mask = self.backbone.run_checked(p_kept, mask_kept, scalars)
        offset = 2 if self.backbone.beams else 0
        c = _head(self.head, self.aggregate(pairs, pair_mask))[:, offset:, 0]
        weights = (1.0 + c) * mask_kept
        return _restore_padding(weights[..., None], keep)[..., 0]


def _check_shapes(
    p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None, in_scalar_channels: int, dtype: torch.dtype
) -> None:
    if p.dim() != 3 or p.shape[-1] != 4:
        raise ValueError(f"PELICAN: momenta p must have shape (B, N, 4), got {tuple(p.shape)}")
    if mask.shape != p.shape[:2] or mask.dtype != torch.bool:
        raise ValueError(
            f"PELICAN: mask must be bool with shape {tuple(p.shape[:2])}, got {mask.dtype} {tuple(mask.shape)}"
        )
    if in_scalar_channels == 0 and scalars is not None:
        raise ValueError("PELICAN: got scalars but the network was built with in_scalar_channels=0")
    if in_scalar_channels > 0:
        expected = (*p.shape[:2], in_scalar_channels)
        if scalars is None or scalars.shape != expected:
            got = None if scalars is None else tuple(scalars.shape)
            raise ValueError(f"PELICAN: scalars must have shape {expected}, got {got}")
    for name, x in (("momenta p", p), ("scalars", scalars)):
        if x is not None:
            check_float_input("PELICAN", name, x, dtype)


def _linear_float32(linear: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    """``linear(x)`` in the weights' precision (float32 under autocast): outputs are logits or weights."""
    with torch.autocast(x.device.type, enabled=False):
        return linear(x.to(linear.weight.dtype))


def _head(head: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """The readout MLP with its last linear map in float32."""
    return _linear_float32(head[-1], head[:-1](x))


def _drop_unused_padding(
    p: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, tuple[torch.Tensor, int] | None]:
    """Drop particle slots that are padding in every set (exact, since pairs are masked).

    Only where the kept size may be read from the mask (:func:`value_sized_allowed`); elsewhere
    the padded slots are computed and masked instead.
    """
    if not value_sized_allowed(p):
        return p, mask, scalars, None
    used = mask.any(dim=0)
    if bool(used.all()):
        return p, mask, scalars, None
    keep = used.nonzero().squeeze(-1)
    scalars = scalars[:, keep] if scalars is not None else None
    return p[:, keep], mask[:, keep], scalars, (keep, mask.shape[1])


def _restore_padding(out: torch.Tensor, keep: tuple[torch.Tensor, int] | None) -> torch.Tensor:
    if keep is None:
        return out
    index, n = keep
    full = out.new_zeros(out.shape[0], n, out.shape[-1])
    full[:, index] = out
    return full
