"""Frame-invariant inputs for LLoCa backbones: each particle and its jet seen from the particle's frame."""

from __future__ import annotations

import torch

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
    # where, not a product with the mask: padded entries may hold anything (0 * NaN is NaN, also
    # in the backward pass, hence zero momenta and identity frames there)
    real = mask.unsqueeze(-1)
    momenta = momenta.masked_fill(~real, 0.0)
    frames = torch.where(real[..., None], frames, torch.eye(4, dtype=frames.dtype, device=frames.device))
    jet = momenta.sum(dim=1, keepdim=True)
    local = torch.cat((to_local(frames, momenta), to_local(frames, jet.expand_as(momenta))), dim=-1)
    return torch.sign(local) * torch.log1p(local.abs() / scale) * real
