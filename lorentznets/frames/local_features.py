"""Frame-invariant inputs for LLoCa backbones: each particle and its jet seen from the particle's frame."""

from __future__ import annotations

import torch

from ..utils.padding import identity_padding, zero_padding
from .frame_ops import to_local

NUM_LOCAL_FEATURES = 8


def local_jet_features(
    momenta: torch.Tensor, frames: torch.Tensor, mask: torch.Tensor, scale: float | torch.Tensor
) -> torch.Tensor:
    """``sign(x) ln(1 + |x| / scale)`` of the components of ``L_i p_i`` and ``L_i p_jet``.

    Lorentz invariant for equivariant frames (``L_i -> L_i Lambda^-1``), since both vectors
    transform with Lambda. The jet is the sum of the real particles. Padded entries are zero,
    whatever the padded momenta and frames hold (NaN included).

    Parameters
    ----------
    momenta : torch.Tensor with shape (B, N, 4)
        (E, px, py, pz) in GeV.
    frames : torch.Tensor with shape (B, N, 4, 4)
    mask : torch.Tensor with shape (B, N), bool
    scale : float or torch.Tensor with shape ()
        Momentum unit in GeV.

    Returns
    -------
    torch.Tensor with shape (B, N, 8)
    """
    # padded entries may hold anything (0 * NaN is NaN, also in the backward pass)
    momenta, frames = zero_padding(momenta, mask, momenta.dtype), identity_padding(frames, mask, frames.dtype)
    jet = momenta.sum(dim=1, keepdim=True)
    local = torch.cat((to_local(frames, momenta), to_local(frames, jet.expand_as(momenta))), dim=-1)
    return torch.sign(local) * torch.log1p(local.abs() / scale) * mask.unsqueeze(-1)
