"""LLoCa attention: queries, keys and values carried from each particle's local frame to the global
frame, attended there with the Minkowski product, and the result carried back (arXiv 2505.20280,
sec. 3.2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from ...frames import TensorReps, frame_matmul, frame_parity, inverse_frame, representation_matrix
from ...lorentz import metric_signs, minkowski_dot
from ..attention import PackedSegments, packed_attention


@dataclass
class FrameTransforms:
    """The representation matrices of one forward pass, shared by every attention layer.

    Attributes
    ----------
    to_global, to_global_lowered, to_local : torch.Tensor with shape (..., D, D)
        The action on one head (D = reps.dim) of ``L_i^-1``, of ``g L_i^-1`` (keys: the Euclidean
        product of the global q and lowered k is the Minkowski product) and of ``L_i``, each 4x4
        matrix divided by the Lorentz factor of particle i's frame relative to the reference
        momentum when variance preservation is on; parity-odd channels carry ``sign(det L_i)``.
    """

    to_global: torch.Tensor
    to_global_lowered: torch.Tensor
    to_local: torch.Tensor


def frame_transforms(
    frames: torch.Tensor, reps: TensorReps, reference: torch.Tensor | None = None, variance_eps: float = 1e-2
) -> FrameTransforms:
    """Prepare the frame-to-frame matrices of LLoCa attention.

    With a reference momentum (the jet, or the event's total momentum) every 4x4 matrix is
    divided by ``gamma_i = (L_i p_ref)^0 / m_ref`` (with ``m_ref = sqrt(eps^2 + max(p_ref^2,
    0))``), an invariant, gradient-free factor that keeps rank-n channels of strongly boosted
    frames at O(1) (lloca's ``preserve_variance``). The factor is detached: no gradient flows
    through it to the reference momentum or to the frames (the outputs' gradients with respect to
    them miss this term, as in lloca).

    Parameters
    ----------
    frames : torch.Tensor with shape (B, N, 4, 4) or (T, 4, 4)
        Global-to-local matrices L_i, padded or packed.
    reps : TensorReps
        Representation of one attention head.
    reference : torch.Tensor with shape (B, 4), (B, N, 4) or (T, 4), optional
        Reference momentum in GeV, per event (padded frames) or per particle; None: no rescaling.
    variance_eps : float
        Mass floor (GeV) of the reference.

    Returns
    -------
    FrameTransforms
        Matrices of shape ``frames.shape[:-2] + (D, D)``.
    """
    inverse = inverse_frame(frames)
    parity = frame_parity(frames)
    to_local = frames
    if reference is not None:
        reference = reference.to(frames.dtype)
        if reference.shape[:-1] != frames.shape[:-2]:  # one per event: the same for its particles
            reference = reference.unsqueeze(-2)
        mass = (variance_eps**2 + minkowski_dot(reference, reference).clamp(min=0)).sqrt()
        # >= m_ref for a Lorentz frame; the clamp only keeps degenerate (zero) frames finite
        energy_in_frame = (frames[..., 0, :] * reference).sum(-1).clamp(min=1e-12)
        scale = (mass / energy_in_frame).detach()[..., None, None]
        inverse = inverse * scale
        to_local = frames * scale
    to_global = representation_matrix(reps, inverse, parity)
    # lowering every tensor index of the keys: the metric's sign on each channel
    signs = representation_matrix(reps, torch.diag(metric_signs(frames.dtype, frames.device))).diagonal()
    return FrameTransforms(to_global, to_global * signs[:, None], representation_matrix(reps, to_local, parity))


def _apply(x: torch.Tensor, matrices: torch.Tensor) -> torch.Tensor:
    # heads (..., H, N, D) and one (D, D) matrix per particle (..., N, D, D): a batched
    # (H, D) @ (D, D) product per particle
    return frame_matmul(x.movedim(-3, -2), matrices.mT).movedim(-2, -3)


def frame_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    transforms: FrameTransforms,
    attn_mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
    segments: PackedSegments | None = None,
    attention: Callable[..., torch.Tensor] = F.scaled_dot_product_attention,
) -> torch.Tensor:
    """Scaled dot-product attention between tensors that live in the particles' local frames.

    Invariant under global Lorentz transformations when the frames are equivariant: the
    attention weights are Minkowski products and the output is expressed in the query's frame.

    Parameters
    ----------
    q, k, v : torch.Tensor with shape (B, H, N, D), or (H, T, D) with ``segments``
        Local components of one head's representation (the one of ``transforms``).
    transforms : FrameTransforms
        From :func:`frame_transforms` of the padded (B, N) or packed (T) frames.
    attn_mask : torch.Tensor with shape broadcastable to (B, H, N, N), optional
        Boolean (True: attend) or additive float mask (a 0/1 float mask is read as a bias, not as
        a selection: pass bool); padded batches only.
    dropout_p : float
        Padded batches only.
    segments : PackedSegments, optional
        Events of a packed batch: each particle attends within its event
        (:func:`lorentznets.layers.attention.packed_attention`, its default backend).
    attention : callable
        ``attention(q, k, v, attn_mask=..., dropout_p=...)`` on the global (B, H, N, D) heads of a
        padded batch, e.g. :func:`lorentznets.layers.part.standard_attention` (faster CPU dropout).

    Returns
    -------
    torch.Tensor with shape of ``q``, local components
    """
    t = transforms
    q, k, v = _apply(q, t.to_global), _apply(k, t.to_global_lowered), _apply(v, t.to_global)
    if segments is None:
        # the Minkowski products of global components cancel large terms of boosted frames: in
        # the frames' (>= float32) precision also under autocast, as frame_matmul and the packed path
        with torch.autocast(q.device.type, enabled=False):
            if attn_mask is not None and attn_mask.is_floating_point():
                attn_mask = attn_mask.to(q.dtype)
            out = attention(q, k, v, attn_mask=attn_mask, dropout_p=dropout_p)
    else:
        if attn_mask is not None or dropout_p:
            raise ValueError("frame_attention on a packed batch takes no attn_mask and no dropout")
        out = packed_attention(q, k, v, segments)
    return _apply(out, t.to_local)
