"""LLoCa attention: queries, keys and values carried from each particle's local frame to the global
frame, attended there with the Minkowski product, and the result carried back (arXiv 2505.20280,
sec. 3.2)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.nn import functional as F

from ...frames import TensorReps, inverse_frame, transform_tensor_reps
from ...lorentz import metric_signs, minkowski_dot


@dataclass
class FrameTransforms:
    """The matrices of one forward pass, shared by every attention layer.

    Attributes
    ----------
    to_global, to_global_lowered, to_local : torch.Tensor with shape (B, 1, N, 4, 4)
        ``L_i^-1``, ``g L_i^-1`` (keys: the Euclidean product of the global q and lowered k is
        the Minkowski product) and ``L_i``, each divided by the Lorentz factor of particle i's
        frame relative to the reference momentum when variance preservation is on.
    parity : torch.Tensor with shape (B, 1, N)
        ``sign(det L_i)`` for parity-odd channels.
    """

    to_global: torch.Tensor
    to_global_lowered: torch.Tensor
    to_local: torch.Tensor
    parity: torch.Tensor


def frame_transforms(
    frames: torch.Tensor, reference: torch.Tensor | None = None, variance_eps: float = 1e-2
) -> FrameTransforms:
    """Prepare the frame-to-frame matrices of LLoCa attention.

    With a reference momentum (the jet, or the event's total momentum) every matrix is divided by
    ``gamma_i = (L_i p_ref)^0 / m_ref`` (with ``m_ref = sqrt(eps^2 + max(p_ref^2, 0))``), an
    invariant, gradient-free factor that keeps rank-n channels of strongly boosted frames at
    O(1) (lloca's ``preserve_variance``).

    Parameters
    ----------
    frames : torch.Tensor with shape (B, N, 4, 4)
        Global-to-local matrices L_i.
    reference : torch.Tensor with shape (B, 4), optional
        Reference momentum in GeV; None: no rescaling.
    variance_eps : float
        Mass floor (GeV) of the reference.

    Returns
    -------
    FrameTransforms
    """
    inverse = inverse_frame(frames)
    parity = torch.linalg.det(frames).sign()
    to_local = frames
    if reference is not None:
        reference = reference.to(frames.dtype)
        mass = (variance_eps**2 + minkowski_dot(reference, reference).clamp(min=0)).sqrt()
        # >= m_ref for a Lorentz frame; the clamp only keeps degenerate (zero) frames finite
        energy_in_frame = (frames[..., 0, :] * reference.unsqueeze(1)).sum(-1).clamp(min=1e-12)
        scale = (mass.unsqueeze(-1) / energy_in_frame).detach()[..., None, None]
        inverse = inverse * scale
        to_local = frames * scale
    lowered = inverse * metric_signs(frames.dtype, frames.device)[:, None]
    return FrameTransforms(inverse.unsqueeze(1), lowered.unsqueeze(1), to_local.unsqueeze(1), parity.unsqueeze(1))


def frame_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    reps: TensorReps,
    transforms: FrameTransforms,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
) -> torch.Tensor:
    """Scaled dot-product attention between tensors that live in the particles' local frames.

    Invariant under global Lorentz transformations when the frames are equivariant: the
    attention weights are Minkowski products and the output is expressed in the query's frame.

    Parameters
    ----------
    q, k, v : torch.Tensor with shape (B, H, N, reps.dim)
        Local components.
    reps : TensorReps
        Representation of one head.
    transforms : FrameTransforms
        From :func:`frame_transforms`.
    attn_mask : torch.Tensor with shape broadcastable to (B, H, N, N), optional
        Boolean (True: attend) or additive float mask.
    dropout_p : float

    Returns
    -------
    torch.Tensor with shape (B, H, N, reps.dim), local components
    """
    t = transforms
    q = transform_tensor_reps(q, reps, t.to_global, t.parity)
    k = transform_tensor_reps(k, reps, t.to_global_lowered, t.parity)
    v = transform_tensor_reps(v, reps, t.to_global, t.parity)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p)
    return transform_tensor_reps(out, reps, t.to_local, t.parity)
