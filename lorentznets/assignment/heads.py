"""Symmetric tensor-attention assignment heads and detection heads (SPANet-style)."""

from __future__ import annotations

import math
import string
from collections.abc import Sequence

import torch
from torch import nn

from ..nets.input_layout import check_particle_layout
from ..utils.padding import zero_padding
from .symmetry import Permutation


def valid_tuples(mask: torch.Tensor, order: int) -> torch.Tensor:
    """Which k-tuples of jets are allowed: all real and pairwise distinct.

    Parameters
    ----------
    mask : torch.Tensor with shape (B, N), bool
        True for real jets.
    order : int
        Number of products k.

    Returns
    -------
    torch.Tensor with shape (B, N, ..., N) (k jet axes), bool
    """
    batch, n = mask.shape
    valid = torch.ones((batch,) + (n,) * order, dtype=torch.bool, device=mask.device)
    # Not torch.eye(dtype=bool): ONNX Runtime has no boolean EyeLike kernel.
    index = torch.arange(n, device=mask.device)
    eye = index[:, None] == index[None, :]
    for axis in range(order):
        shape = [batch] + [1] * order
        shape[1 + axis] = n
        valid = valid & mask.reshape(shape)
        for other in range(axis + 1, order):
            pair_shape = [1] * (order + 1)
            pair_shape[1 + axis], pair_shape[1 + other] = n, n
            valid = valid & ~eye.reshape(pair_shape)
    return valid


class SymmetricTensorAttention(nn.Module):
    """Joint log-probabilities over k-tuples of distinct jets, symmetric under a product group.

    The score of a tuple (i_1, ..., i_k) is a rank-R tensor contraction
    ``sum_r prod_m (h_{i_m} W_m)_r / sqrt(R)`` averaged over the symmetry group of the products,
    so exchanging interchangeable products (e.g. the two light quarks of a W) leaves the output
    unchanged exactly. Log-softmax runs over the valid tuples only.

    Parameters
    ----------
    features : int
        Jet feature size D.
    symmetries : sequence of permutations
        The product permutation group (identity included), e.g. ``((0, 1, 2), (1, 0, 2))``.
    rank : int
        Rank R of the score tensor.
    """

    def __init__(self, features: int, symmetries: Sequence[Permutation], rank: int = 32):
        super().__init__()
        self.order = len(symmetries[0])
        if self.order > len(string.ascii_lowercase) - 2:
            raise ValueError(f"too many products ({self.order}) for one particle")
        self.symmetries = tuple(tuple(s) for s in symmetries)
        self.encoder = nn.Sequential(nn.Linear(features, features), nn.GELU(), nn.Linear(features, features))
        self.factors = nn.Parameter(torch.randn(self.order, features, rank) / math.sqrt(features))
        self.rank = rank
        letters = string.ascii_lowercase[: self.order]
        self._equation = ",".join(f"z{c}r" for c in letters) + f"->z{letters}"

    def forward(self, jets: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Parameters
        ----------
        jets : torch.Tensor with shape (B, N, D)
        mask : torch.Tensor with shape (B, N), bool
            True for real jets; padded ones are read as zeros (any value, NaN included, may fill
            them).

        Returns
        -------
        log_probs : torch.Tensor with shape (B, N, ..., N) (k jet axes)
            log P(tuple); -inf where the tuple is not valid.
        valid : torch.Tensor with shape (B, N, ..., N), bool

        Raises
        ------
        ValueError
            A mask that is not bool (B, N), or jets of another shape than (B, N, D).
        TypeError
            Jets of another float precision than the parameters' (lower ones run in float32).
        """
        first = self.encoder[0]
        check_particle_layout("SymmetricTensorAttention", mask, first.weight.dtype, jets=(jets, first.in_features))
        hidden = self.encoder(zero_padding(jets, mask, first.weight.dtype))
        projected = torch.einsum("bnd,kdr->kbnr", hidden, self.factors)
        scores = torch.einsum(self._equation, *projected.unbind(0)) / math.sqrt(self.rank)
        scores = torch.stack([scores.permute(0, *(1 + p for p in perm)) for perm in self.symmetries]).mean(0)
        valid = valid_tuples(mask, self.order)
        flat_scores = scores.masked_fill(~valid, float("-inf")).flatten(1)
        # Events with too few jets have no valid tuple: their log-probabilities stay -inf.
        normaliser = torch.logsumexp(flat_scores, dim=1)
        normaliser = torch.where(torch.isfinite(normaliser), normaliser, torch.zeros_like(normaliser))
        log_probs = (flat_scores - normaliser[:, None]).view_as(scores)
        return log_probs, valid


class DetectionHead(nn.Module):
    """Probability that a particle is present (all its products matched), from pooled jet features.

    Parameters
    ----------
    features : int
        Jet feature size D.
    """

    def __init__(self, features: int):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2 * features, features), nn.GELU(), nn.Linear(features, 1))

    def forward(self, jets: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Detection logits.

        Parameters
        ----------
        jets : torch.Tensor with shape (B, N, D)
        mask : torch.Tensor with shape (B, N), bool
            True for real jets; padded ones are ignored, whatever they hold (NaN included).

        Returns
        -------
        torch.Tensor with shape (B,)

        Raises
        ------
        ValueError, TypeError
            As :meth:`SymmetricTensorAttention.forward`.
        """
        first = self.net[0]
        check_particle_layout("DetectionHead", mask, first.weight.dtype, jets=(jets, first.in_features // 2))
        jets = zero_padding(jets, mask, first.weight.dtype)
        count = mask.sum(1, keepdim=True).clamp_min(1).to(jets.dtype)
        mean = jets.sum(1) / count
        if jets.shape[1] == 0:  # no jet slots (a shape, not a value): amax has nothing to reduce
            largest = jets.new_zeros(jets.shape[0], jets.shape[2])
        else:
            largest = jets.masked_fill(~mask.unsqueeze(-1), float("-inf")).amax(1)
            largest = torch.where(torch.isfinite(largest), largest, torch.zeros_like(largest))
        return self.net(torch.cat([mean, largest], -1)).squeeze(-1)
