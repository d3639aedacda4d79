"""Learned equivariant local frames: predicted vectors, orthonormalised to a Lorentz frame."""

from __future__ import annotations

import torch
from torch import nn

from .gram_schmidt import gram_schmidt_frames
from .polar_decomposition import polar_decomposition_frames
from .regularize import cap_boost, regularize_masses, separate_references, total_momentum
from .vector_net import EquivariantVectorNet

METHODS = ("polar", "gram_schmidt")


class LearnedFrames(nn.Module):
    """One Lorentz frame per particle from three equivariantly predicted vectors.

    ``method="polar"``: the first vector is the boost, the other two fix the rotation
    (:func:`polar_decomposition_frames`, LLoCa's default); ``"gram_schmidt"``: the three vectors
    are orthonormalised in Minkowski space (:func:`gram_schmidt_frames`). With reference vectors
    in ``vector_net`` the frames are equivariant only under the subgroup that fixes them.
    The geometry runs in float64 whatever the input dtype: the total momentum, the mass
    regularisation, the vector net's invariants and its weighted sums of directions, and the
    orthonormalisation; only the vector net's MLP runs in its parameters' dtype. In float32, a jet
    boosted by rapidity 3 has P^2 and pair products that round to zero or below, and the logits of
    LLoCa taggers came out wrong by up to 60 (NaN from rapidity 4) against the same model in
    float64; with the geometry in float64 they agree to 3e-3 at rapidity 3 and 5e-2 at rapidity 4
    (the float32 frames and local features downstream). A Lorentz-invariant model loses nothing by
    seeing its events from the rest frame of their total momentum
    (:func:`~lorentznets.frames.rest_frame.to_total_rest_frame`), where float32 suffices at any
    boost; the LLoCa wrappers do so. The whole computation, the vector net
    included, runs outside autocast: with the vector net's
    logits in bf16 the frames of some constituents of a jet moved by up to 30% (and local features
    by up to 0.3 of their spread) against float32, for an untrained net with the regularisations
    of the model configs.

    Exactly equivariant regularisations (:mod:`lorentznets.frames.regularize`) keep the frames
    well conditioned under float32 rounding of the inputs: a small mass for (nearly) massless inputs
    of the vector net, a small admixture of fallback directions to the rotation references, and a
    soft cap of the boost's Lorentz factor, each measured in the rest frame of the event's (jet's)
    total momentum. Without them a 1e-7 relative change of float32 jet constituents moved the logits
    of briefly trained LLoCa taggers by O(1) (docs/running.md). They are off here by default, so
    that models saved before they existed keep their function; the model configs
    (``config/model/lloca_*.yaml``) turn the first two on.

    Parameters
    ----------
    method : str
        One of ``METHODS``.
    vector_net : dict
        Arguments of :class:`EquivariantVectorNet` except ``num_vectors``.
    eps_mass : float
        Strength of :func:`regularize_masses` on the vector net's inputs (0: off).
    gamma_max : float or None
        Soft cap of the boost vector's Lorentz factor relative to the total momentum
        (:func:`cap_boost`; None: off).
    eps_separation : float
        Strength of :func:`separate_references` (0: off); the fallbacks are the particle's own
        (regularised) momentum and the total momentum.
    """

    def __init__(
        self,
        method: str = "polar",
        vector_net: dict | None = None,
        eps_mass: float = 0.0,
        gamma_max: float | None = None,
        eps_separation: float = 0.0,
    ) -> None:
        super().__init__()
        if method not in METHODS:
            raise ValueError(f"unknown frame method {method!r}; choose from {METHODS}")
        if eps_mass < 0 or eps_separation < 0:
            raise ValueError(f"eps_mass and eps_separation must be >= 0, got {eps_mass}, {eps_separation}")
        if gamma_max is not None and not gamma_max > 1:
            raise ValueError(f"gamma_max must be > 1 or None, got {gamma_max}")
        self.method = method
        self.eps_mass = eps_mass
        self.gamma_max = gamma_max
        self.eps_separation = eps_separation
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
        with torch.autocast(momenta.device.type, enabled=False):
            frames = self._frames(momenta.double(), mask, scalars, pairs)
        return frames.to(momenta.dtype)

    def _frames(
        self, momenta: torch.Tensor, mask: torch.Tensor, scalars: torch.Tensor | None, pairs: torch.Tensor | None
    ) -> torch.Tensor:
        total = total_momentum(momenta, mask)
        if self.eps_mass:
            momenta = regularize_masses(momenta, total, self.eps_mass)
        vectors = self.vector_net(momenta, mask, scalars, pairs).double()
        total = total.double().expand_as(momenta)
        boost, references = vectors[..., 0, :], vectors[..., 1:, :]
        if self.gamma_max is not None:
            boost = cap_boost(boost, total, self.gamma_max)
        if self.eps_separation:
            fallbacks = torch.stack((momenta.double(), total), dim=-2)
            references = separate_references(boost, references, fallbacks, self.eps_separation)
        if self.method == "polar":
            frames = polar_decomposition_frames(boost, references)
        else:
            frames = gram_schmidt_frames(torch.cat((boost.unsqueeze(-2), references), dim=-2))
        eye = torch.eye(4, dtype=frames.dtype, device=frames.device)
        return torch.where(mask[..., None, None], frames, eye).to(momenta.dtype)
