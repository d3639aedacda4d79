"""The Lorentz Group Network (LGN) of Bogatskiy et al., arXiv 2006.04780.

Particles carry complex activations in the finite-dimensional irreps ``(k, n)`` of SL(2, C). The
momenta enter as the ``(1, 1)`` irrep (an exact change of basis), scalars as ``(0, 0)``; each
Clebsch-Gordan level forms channel-wise tensor products of the activations with themselves and
with the pair momenta ``p_i - p_j``, truncated at ``maxdim``, mixes channels within each irrep and
applies an MLP to the invariant ``(0, 0)`` channels. The output sums the ``(0, 0)`` channels of the
last level over the particles and applies a linear layer, so it is exactly invariant under
SO+(1, 3) and under permutations of the particles (not under parity: complex channel mixing lets
``(2, 0)`` and ``(0, 2)`` pieces, which parity swaps, combine into pseudoscalars).

Numerical precision: products of degree up to ``2^levels`` in the momenta lose accuracy under large
boosts and with nearly collinear constituents, so by default the forward pass runs in
float64/complex128 (``high_precision=True``) whatever the parameter and input dtype; the result is
returned in the input dtype.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from ..data.input_checks import all_finite
from ..irreps import vector_to_irrep
from ..layers.arguments import ArgumentError, check_at_least, check_choice, check_positive
from ..layers.lgn import SCALAR, CGLevel, InputEmbedding, ScalarMLP
from ..lorentz import squared_mass
from ..utils.padding import zero_padding


class LGN(nn.Module):
    """Lorentz Group Network: invariant outputs from particle four-momenta.

    Parameters
    ----------
    channels : sequence of int
        ``[C_0, C_1, ..., C_L]``: channels of the input embedding, then the output channels of
        each of the L Clebsch-Gordan levels. The paper's top tagger: ``[2, 3, 4, 3]`` (3 levels).
    maxdim : int
        Keep irreps ``(k, n)`` with ``k, n <= maxdim`` (2 in the paper: up to the 9-dimensional
        ``(2, 2)``; the original code's ``--maxdim`` counts ``k + 1`` and is 3 for the same net).
    out_channels : int
        Number of outputs (e.g. 1 logit for binary tagging).
    in_scalars : int
        Number of real per-particle invariant features passed as ``scalars`` (0: none).
    mlp_depth, mlp_width_factor : int
        Hidden layers and width factor (times the number of real inputs) of the ``(0, 0)`` MLPs.
    activation : str
        Nonlinearity of the MLPs.
    num_basis : int
        Lorentzians in each learnable pair weight ``f(p_ij^2)``.
    aggregation : str
        "sum" (as the original) or "mean" of the messages over the particles.
    momentum_scale : float
        Factor applied to the momenta (GeV) before the first level; 0.005 as the original keeps
        the high-degree products of O(100 GeV) momenta near unit size.
    high_precision : bool
        Compute in float64/complex128 (see module docstring).

    Raises
    ------
    ValueError
        (:class:`~lorentznets.layers.arguments.ArgumentError`) for an argument out of range.
    """

    def __init__(
        self,
        channels: Sequence[int] = (2, 3, 4, 3),
        maxdim: int = 2,
        out_channels: int = 1,
        in_scalars: int = 0,
        mlp_depth: int = 3,
        mlp_width_factor: int = 2,
        activation: str = "leaky_relu",
        num_basis: int = 10,
        aggregation: str = "sum",
        momentum_scale: float = 0.005,
        high_precision: bool = True,
    ) -> None:
        super().__init__()
        channels = [int(c) for c in channels]
        if len(channels) < 2 or min(channels) < 1:
            raise ArgumentError(
                "channels", f"channels needs at least two positive entries [C_0, C_1, ...], got {channels}"
            )
        if maxdim < 1:
            raise ArgumentError("maxdim", f"maxdim must be >= 1 to keep the (1, 1) momenta, got {maxdim}")
        check_positive("momentum_scale", momentum_scale)
        check_at_least("out_channels", out_channels, 1)
        check_at_least("mlp_depth", mlp_depth, 0)  # 0: no MLP on the invariant channels
        check_at_least("mlp_width_factor", mlp_width_factor, 1)
        # the MLP is built only for mlp_depth > 0, and names its width factor width_factor; the
        # layers check in_scalars (InputEmbedding), num_basis (PairWeights), aggregation (CGLevel)
        check_choice("activation", activation, sorted(ScalarMLP.ACTIVATIONS))
        self.channels, self.maxdim = channels, int(maxdim)
        self.in_scalars, self.out_channels = int(in_scalars), int(out_channels)
        self.momentum_scale, self.high_precision = float(momentum_scale), bool(high_precision)
        self.embedding = InputEmbedding(self.in_scalars, channels[0])
        levels = []
        irreps = [SCALAR, (1, 1)]
        for index, (c_in, c_out) in enumerate(zip(channels[:-1], channels[1:])):
            last = index == len(channels) - 2
            level = CGLevel(
                irreps,
                c_in,
                c_out,
                self.maxdim,
                mlp_depth,
                mlp_width_factor,
                activation,
                num_basis,
                aggregation,
                keep=[SCALAR] if last else None,
            )
            levels.append(level)
            irreps = level.out_irreps
        self.levels = nn.ModuleList(levels)
        self.readout = nn.Linear(2 * channels[-1], self.out_channels)

    def forward(
        self,
        p: torch.Tensor,
        mask: torch.Tensor | None = None,
        scalars: torch.Tensor | None = None,
        edges: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Invariant predictions for a batch of particle sets.

        Parameters
        ----------
        p : torch.Tensor with shape (B, N, 4)
            Four-momenta (E, px, py, pz) in GeV; padded entries are ignored.
        mask : torch.Tensor with shape (B, N), bool, optional
            True for real particles (default: all real).
        scalars : torch.Tensor with shape (B, N, in_scalars), optional
            Per-particle invariant features.
        edges : torch.Tensor with shape (2, E), int64, optional
            :func:`~lorentznets.layers.lorentznet.real_pairs` of ``mask`` (built with the batch):
            the pair weights and messages are then computed for the real pairs only instead of the
            padded (B, N, N) grid. Same result up to rounding.

        Returns
        -------
        torch.Tensor with shape (B, out_channels), dtype of ``p``

        No value of the inputs is read on the host (no device sync); :meth:`validate_inputs` checks
        them where the batch is assembled.
        """
        mask = self._check_inputs(p, mask, scalars)
        dtype = torch.float64 if self.high_precision else p.dtype
        momenta = zero_padding(p, mask, dtype) * self.momentum_scale
        irrep_momenta = vector_to_irrep(momenta)[:, :, None, :]
        if edges is None:
            pair_invariants = squared_mass(momenta[:, :, None, :] - momenta[:, None, :, :])
        else:
            flat = momenta.reshape(-1, 4)
            pair_invariants = squared_mass(flat[edges[0]] - flat[edges[1]])
        if self.in_scalars > 0:
            scalars = zero_padding(scalars, mask, dtype)
        features = self.embedding(irrep_momenta, scalars, mask)
        for level in self.levels:
            features = level(features, irrep_momenta, pair_invariants, mask, edges)
        pooled = features[SCALAR].sum(dim=1)[..., 0]  # (B, C_L), padded particles are zero
        readout_in = torch.cat([pooled.real, pooled.imag], dim=-1)
        weight, bias = self.readout.weight.to(dtype), self.readout.bias.to(dtype)
        return nn.functional.linear(readout_in, weight, bias).to(p.dtype)

    def validate_inputs(
        self, p: torch.Tensor, mask: torch.Tensor | None = None, scalars: torch.Tensor | None = None
    ) -> None:
        """Check the input values (reads them on the host: call it at the data boundary, not per step).

        Parameters
        ----------
        p, mask, scalars : torch.Tensor
            As for :meth:`forward`.

        Raises
        ------
        ValueError
            For an empty batch (no jet, or no particle slot), and NaN or inf momenta or scalars of
            real particles.
        """
        mask = self._check_inputs(p, mask, scalars)
        if p.shape[0] == 0 or p.shape[1] == 0:
            raise ValueError(f"LGN got an empty batch: momenta of shape {tuple(p.shape)}")
        if not all_finite(p[mask]):
            raise ValueError("LGN got NaN or inf momenta for unmasked particles")
        if scalars is not None and not all_finite(scalars[mask]):
            raise ValueError("LGN got NaN or inf scalars for unmasked particles")

    def _check_inputs(self, p: torch.Tensor, mask: torch.Tensor | None, scalars: torch.Tensor | None) -> torch.Tensor:
        if p.dim() != 3 or p.shape[-1] != 4:
            raise ValueError(f"LGN expects momenta p of shape (B, N, 4), got {tuple(p.shape)}")
        if not p.is_floating_point():
            raise ValueError(f"LGN expects real floating-point momenta, got dtype {p.dtype}")
        if mask is None:
            mask = torch.ones(p.shape[:2], dtype=torch.bool, device=p.device)
        elif mask.shape != p.shape[:2] or mask.dtype != torch.bool:
            raise ValueError(
                f"LGN expects a bool mask of shape {tuple(p.shape[:2])}, got {tuple(mask.shape)} {mask.dtype}"
            )
        if self.in_scalars > 0 and (scalars is None or scalars.shape != (*p.shape[:2], self.in_scalars)):
            got = None if scalars is None else tuple(scalars.shape)
            raise ValueError(f"LGN expects scalars of shape {(*p.shape[:2], self.in_scalars)}, got {got}")
        if self.in_scalars == 0 and scalars is not None:
            raise ValueError(f"LGN was built with in_scalars=0 but got scalars of shape {tuple(scalars.shape)}")
        return mask
