"""Learned equivariant local frames: predicted vectors, orthonormalised to a Lorentz frame."""

from __future__ import annotations

import torch
from torch import nn

from .gram_schmidt import gram_schmidt_frames
from .polar_decomposition import polar_decomposition_frames
from .vector_net import EquivariantVectorNet

METHODS = ("polar", "gram_schmidt")


class LearnedFrames(nn.Module):
    """One Lorentz frame per particle from three equivariantly predicted vectors.

    ``method="polar"``: the first vector is the boost, the other two fix the rotation
    (:func:`polar_decomposition_frames`, LLoCa's default); ``"gram_schmidt"``: the three vectors
    are orthonormalised in Minkowski space (:func:`gram_schmidt_frames`). With reference vectors
    in ``vector_net`` the frames are equivariant only under the subgroup that fixes them.
    The orthonormalisation runs in float64 (boosts of large rapidity lose digits in float32).

    Parameters
    ----------
    method : str
        One of ``METHODS``.
    vector_net : dict
        Arguments of :class:`EquivariantVectorNet` except ``num_vectors``.
    """

    def __init__(self, method: str = "polar", vector_net: dict | None = None) -> None:
        super().__init__()
        if method not in METHODS:
            raise ValueError(f"unknown frame method {method!r}; choose from {METHODS}")
        self.method = method
        self.vector_net = EquivariantVectorNet(num_vectors=3, **(vector_net or {}))

    def forward(
        self,
        momenta: torch.Tensor,
        mask: torch.Tensor,
        scalars: torch.Tensor | None = None,
        pairs: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Frames.

        Parameters
        ----------
        momenta : torch.Tensor with shape (B, N, 4)
            (E, px, py, pz) in GeV.
        mask : torch.Tensor with shape (B, N), bool
        scalars : torch.Tensor with shape (B, N, S), optional
            Lorentz-invariant per-particle inputs of the vector net.
        pairs : torch.Tensor with shape (2, E), int64, optional
            The ordered real pairs of ``mask`` (see :class:`EquivariantVectorNet`): the same
            frames, with the vector net over real pairs only.

        Returns
        -------
        torch.Tensor with shape (B, N, 4, 4), dtype of ``momenta``
            Global-to-local matrices L_i; the identity for padded particles.
        """
        vectors = self.vector_net(momenta, mask, scalars, pairs).double()
        if self.method == "polar":
            frames = polar_decomposition_frames(vectors[..., 0, :], vectors[..., 1:, :])
        else:
            frames = gram_schmidt_frames(vectors)
        eye = torch.eye(4, dtype=frames.dtype, device=frames.device)
        return torch.where(mask[..., None, None], frames, eye).to(momenta.dtype)
