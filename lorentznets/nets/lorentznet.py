"""LorentzNet (arXiv 2201.08187): message passing with Minkowski attention, exactly equivariant."""

from __future__ import annotations

import torch
from torch import nn

from ..data.input_checks import all_finite, empty_sets
from ..layers.arguments import check_at_least, check_choice, check_probability
from ..layers.lorentznet import LGEB, real_pairs
from ..utils.padding import zero_padding

_READOUTS = ("jet", "particle")
_OFFICIAL_CLAMP = 100.0


class LorentzNet(nn.Module):
    """LorentzNet: scalar embedding, a stack of :class:`~lorentznets.layers.lorentznet.LGEB`, sum
    pooling and an MLP decoder.

    Parameters
    ----------
    in_scalar_channels : int
        Input scalars per particle (2 for the top-tagging convention, 8 for quark-gluon).
    out_channels : int
    hidden_channels : int
    num_blocks : int
    c_weight : float
        Weight of the coordinate update (paper: 5e-3 top tagging, 1e-3 quark-gluon).
    dropout : float
    readout : str
        ``"jet"`` for (B, out_channels), ``"particle"`` for (B, N, out_channels) (the decoder on
        every particle; use as an assignment or amplitude backbone).
    official : bool
        Reproduce the original code's outputs (needed for its checkpoints): the jet readout
        divides the masked sum by the padded particle count N (so a jet's score depends on how the
        batch was padded), and every coordinate message is clamped to +-100 (which breaks exact
        equivariance for large momenta). The default instead averages over the real particles and
        never clamps: batch independent and exactly equivariant.

    Examples
    --------
    >>> net = LorentzNet(in_scalar_channels=2, out_channels=2, hidden_channels=8, num_blocks=2)
    >>> p = torch.randn(3, 5, 4)
    >>> net(torch.randn(3, 5, 2), p, torch.ones(3, 5, dtype=torch.bool)).shape
    torch.Size([3, 2])
    """

    def __init__(
        self,
        in_scalar_channels: int,
        out_channels: int,
        hidden_channels: int = 72,
        num_blocks: int = 6,
        c_weight: float = 1e-3,
        dropout: float = 0.0,
        readout: str = "jet",
        official: bool = False,
    ):
        super().__init__()
        check_choice("readout", readout, _READOUTS)
        for name, value in (
            ("in_scalar_channels", in_scalar_channels),
            ("out_channels", out_channels),
            ("hidden_channels", hidden_channels),
            ("num_blocks", num_blocks),
        ):
            check_at_least(name, value, 1)
        check_probability("dropout", dropout)
        self.in_scalar_channels = in_scalar_channels
        self.readout = readout
        self.official = official
        self.embedding = nn.Linear(in_scalar_channels, hidden_channels)
        self.blocks = nn.ModuleList(
            LGEB(hidden_channels, in_scalar_channels, c_weight, k < num_blocks - 1, dropout) for k in range(num_blocks)
        )
        self.decoder = nn.Sequential(
            nn.Linear(hidden_channels, hidden_channels),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_channels, out_channels),
        )

    def forward(
        self, scalars: torch.Tensor, p: torch.Tensor, mask: torch.Tensor, edges: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Run the network.

        No value of the inputs is read on the host (no device sync): the checks here look only at
        shapes and dtypes. :meth:`validate_inputs` checks the values where the batch is assembled.

        Parameters
        ----------
        scalars : torch.Tensor with shape (B, N, S)
            Per-particle Lorentz scalars (see :mod:`lorentznets.layers.lorentznet.inputs`).
        p : torch.Tensor with shape (B, N, 4)
            Momenta (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
            True for real particles (beams included); padded slots are read as zeros (any value,
            NaN included, may fill them).
        edges : torch.Tensor with shape (2, E), int64, optional
            :func:`~lorentznets.layers.lorentznet.real_pairs` of ``mask``, built with the batch:
            messages then run over the real pairs only (cost sum_b n_b^2 instead of B N^2, the
            faster choice unless the jets nearly fill the padding). Without it the blocks work on
            the padded (B, N, N) grid. Both give the same result. Pass no other edge list: in
            training the batch norm over the edges is computed from sums over the sets of ``mask``.

        Returns
        -------
        torch.Tensor with shape (B, out_channels), or (B, N, out_channels) with zeros for padded
        particles when ``readout="particle"``.
        """
        self._check_layout(scalars, p, mask, edges)
        # padded slots may hold anything (NaN included): 0 * NaN would reach the real particles
        scalars, p = zero_padding(scalars, mask, scalars.dtype), zero_padding(p, mask, p.dtype)
        clamp = _OFFICIAL_CLAMP if self.official else None
        h = self.embedding(scalars) * mask[..., None]
        x = p
        for block in self.blocks:
            h, x = block(h, x, mask, scalars, clamp, edges)
        if self.readout == "particle":
            return self.decoder(h) * mask[..., None]
        if self.official:
            pooled = h.sum(dim=1) / h.shape[1]
        else:
            pooled = h.sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1).to(h.dtype)
        return self.decoder(pooled)

    def validate_inputs(
        self, scalars: torch.Tensor, p: torch.Tensor, mask: torch.Tensor, edges: torch.Tensor | None = None
    ) -> None:
        """Check the input values (reads them on the host: call it at the data boundary, not per step).

        Parameters
        ----------
        scalars, p, mask, edges : torch.Tensor
            As for :meth:`forward` (``edges`` optional).

        Raises
        ------
        ValueError
            For a set without real particles, NaN or inf in the momenta or scalars of real
            particles, or ``edges`` other than ``real_pairs(mask)`` (the training-mode batch norm
            takes its statistics from sums over the sets, which holds for exactly these pairs).
        """
        self._check_layout(scalars, p, mask, edges)
        if empty_sets(mask):
            raise ValueError(f"LorentzNet: set {empty_sets(mask)[0]} of the batch has no real particles")
        if not all_finite(p[mask]) or not all_finite(scalars[mask]):
            raise ValueError("LorentzNet: momenta or scalars contain NaN or inf for real particles")
        if edges is not None:
            expected = real_pairs(mask)
            if edges.shape != expected.shape or not torch.equal(edges.to(expected.device), expected):
                raise ValueError(
                    f"LorentzNet: edges {tuple(edges.shape)} are not real_pairs(mask) {tuple(expected.shape)}: "
                    "pass every ordered pair of real particles, as real_pairs builds it"
                )

    def _check_layout(
        self, scalars: torch.Tensor, p: torch.Tensor, mask: torch.Tensor, edges: torch.Tensor | None
    ) -> None:
        if p.dim() != 3 or p.shape[-1] != 4:
            raise ValueError(f"LorentzNet: momenta p must have shape (B, N, 4), got {tuple(p.shape)}")
        if mask.shape != p.shape[:2] or mask.dtype != torch.bool:
            raise ValueError(
                f"LorentzNet: mask must be bool with shape {tuple(p.shape[:2])}, got {mask.dtype} {tuple(mask.shape)}"
            )
        expected = (*p.shape[:2], self.in_scalar_channels)
        if scalars.shape != expected:
            raise ValueError(f"LorentzNet: scalars must have shape {expected}, got {tuple(scalars.shape)}")
        dtype = self.embedding.weight.dtype
        if p.dtype != dtype or scalars.dtype != dtype:
            raise TypeError(
                f"LorentzNet: momenta are {p.dtype} and scalars {scalars.dtype}, but the network's parameters are "
                f"{dtype}; convert the inputs (e.g. p.to({dtype})) or the network (e.g. net.to({p.dtype}))"
            )
        if edges is not None and (edges.dim() != 2 or edges.shape[0] != 2 or edges.dtype != torch.int64):
            raise ValueError(
                f"LorentzNet: edges must be int64 with shape (2, E) (see real_pairs), got {edges.dtype} "
                f"{tuple(edges.shape)}"
            )
