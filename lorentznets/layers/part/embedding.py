"""ParT input embeddings: per-particle features to tokens, pair features to attention biases."""

from __future__ import annotations

import torch
from torch import nn

from .interaction import pairwise_interaction_features
from .masked_batch_norm import MaskedBatchNorm


class ParticleEmbedding(nn.Module):
    """BatchNorm of the raw features, then (LayerNorm, Linear, GELU) per width in ``dims``.

    The batch statistics include padded particles, as in the published ParT.

    Parameters
    ----------
    in_channels : int
        Per-particle input features.
    dims : sequence of int
        Widths of the successive layers; the last is the token width.
    """

    def __init__(self, in_channels: int, dims: tuple[int, ...]) -> None:
        super().__init__()
        self.input_norm = nn.BatchNorm1d(in_channels)
        layers: list[nn.Module] = []
        for dim in dims:
            layers += [nn.LayerNorm(in_channels), nn.Linear(in_channels, dim), nn.GELU()]
            in_channels = dim
        self.layers = nn.Sequential(*layers)

    def forward(self, features: torch.Tensor, pack_index: torch.Tensor | None = None) -> torch.Tensor:
        """Embed.

        Parameters
        ----------
        features : torch.Tensor with shape (B, N, C_in)
        pack_index : torch.Tensor with shape (T,), int64, optional
            Flat indices ``b * N + i`` of the real particles: only they pass the token-wise layers
            (after the batch norm, whose statistics include the padding).

        Returns
        -------
        torch.Tensor with shape (B, N, dims[-1]), or (T, dims[-1]) with ``pack_index``
        """
        # BatchNorm1d of (B * N, C): the statistics of the (B, C, N) layout without its transposes, whose
        # strides torch.compile's tracing of batch_norm gets wrong (a view of the flattened result failed)
        x = self.input_norm(features.flatten(0, 1))
        x = x.view(features.shape) if pack_index is None else x.index_select(0, pack_index)
        return self.layers(x)


class PairEmbedding(nn.Module):
    """Pair features of the unordered pairs (i >= j) through pointwise layers to one bias per head.

    (MaskedBatchNorm, then Linear, MaskedBatchNorm, GELU per width, without the last GELU unless
    ``final_activation``);
    the batch statistics use only real pairs, as the published ParT's sparse pair embedding does.
    The result is symmetric in (i, j) and zero on pairs with a padded particle.

    Parameters
    ----------
    dims : sequence of int
        Widths; the last is the number of attention heads.
    features : tuple of str
        Pair features (see :func:`pairwise_interaction_features`), in order.
    eps : float
        Lower clamp inside the logarithms of the features.
    final_activation : bool
        A GELU after the last layer too: weaver-core's ``use_pre_activation_pair=False``, with which
        the ParT repository trained its published models (False: weaver-core's default).
    """

    def __init__(
        self, dims: tuple[int, ...], features: tuple[str, ...], eps: float = 1e-8, final_activation: bool = False
    ) -> None:
        super().__init__()
        self.features = tuple(features)
        self.eps = eps
        self.final_activation = final_activation
        self.input_norm = MaskedBatchNorm(len(self.features))
        widths = (len(self.features), *dims)
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.norms = nn.ModuleList(MaskedBatchNorm(b) for b in widths[1:])
        self.activation = nn.GELU()

    def forward(self, momenta: torch.Tensor, mask: torch.Tensor, pairs: torch.Tensor | None = None) -> torch.Tensor:
        """Attention biases.

        Parameters
        ----------
        momenta : torch.Tensor with shape (B, N, 4)
            (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
        pairs : torch.Tensor with shape (3, P), int64, optional
            The real unordered pairs (:func:`real_pairs` of ``mask``, built on the host with the
            batch): only these are embedded. None: every pair of the padded grid is, and the
            padded ones are masked (same result, more work on padded batches).

        Returns
        -------
        torch.Tensor with shape (B, dims[-1], N, N)
        """
        batch, num = mask.shape
        if pairs is None:
            rows, cols = torch.tril_indices(num, num, device=momenta.device)
            pair_mask = mask[:, rows] & mask[:, cols]
            x = self._embed(momenta[:, rows], momenta[:, cols], pair_mask)
            x = (x * pair_mask.unsqueeze(-1)).transpose(1, 2)
            out = x.new_zeros(batch, x.shape[1], num, num)
            out[:, :, rows, cols] = x
            out[:, :, cols, rows] = x
            return out
        events, rows, cols = pairs
        x = self._embed(momenta[events, rows], momenta[events, cols], None)
        out = x.new_zeros(batch, x.shape[-1], num, num)
        out[events, :, rows, cols] = x
        out[events, :, cols, rows] = x
        return out

    def _embed(self, p_i: torch.Tensor, p_j: torch.Tensor, pair_mask: torch.Tensor | None) -> torch.Tensor:
        x = pairwise_interaction_features(p_i, p_j, self.features, self.eps)
        x = self.input_norm(x, pair_mask)
        for index, (linear, norm) in enumerate(zip(self.linears, self.norms)):
            x = norm(linear(x), pair_mask)
            if index < len(self.linears) - 1 or self.final_activation:
                x = self.activation(x)
        return x
