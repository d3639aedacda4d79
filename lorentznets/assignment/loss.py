"""Assignment loss, minimised over the permutations of identical particles."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from .event_loss import divided
from .topology import EventTopology


def particle_present(targets: torch.Tensor) -> torch.Tensor:
    """A particle counts only if all its products are matched: (B, P, k) indices -> (B, P) bool."""
    return (targets >= 0).all(dim=-1)


def gather_log_prob(log_probs: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """log P of the target tuple.

    Parameters
    ----------
    log_probs : torch.Tensor with shape (B, N, ..., N) (k jet axes)
    target : torch.Tensor with shape (B, k), int64, entries in [0, N) (unmatched entries are
        clamped to 0; mask them afterwards)

    Returns
    -------
    torch.Tensor with shape (B,)
    """
    n = log_probs.shape[1]
    order = target.shape[-1]
    strides = torch.tensor([n ** (order - 1 - m) for m in range(order)], device=target.device)
    flat_index = (target.clamp_min(0) * strides).sum(-1)
    return log_probs.flatten(1).gather(1, flat_index[:, None]).squeeze(1)


def assignment_loss(
    log_probs: Sequence[torch.Tensor],
    detection_logits: torch.Tensor,
    targets: Sequence[torch.Tensor],
    topology: EventTopology,
    detection_weight: float = 1.0,
    divisor: torch.Tensor | None = None,
    present: torch.Tensor | None = None,
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Cross-entropy of the true assignment, minimised over event-level particle permutations.

    For a particle whose product group G has |G| elements, the orbit of the true tuple has |G|
    members of equal probability, so the loss is ``-(log P(target) + log |G|)``, which is zero for
    a perfect prediction. Particles that are not fully matched contribute no assignment loss; the
    detection head learns whether they are present.

    Parameters
    ----------
    log_probs : sequence of torch.Tensor
        Per particle, shape (B, N, ..., N).
    detection_logits : torch.Tensor with shape (B, P)
    targets : sequence of torch.Tensor
        Per particle, shape (B, k_p) int64 jet indices, -1 for unmatched products.
    topology : EventTopology
    detection_weight : float
    divisor : torch.Tensor, 0-dim, optional
        The divisor of the summed assignment loss (default: the batch's number of present
        particles); under DDP that number's mean over the ranks, so that the averaged gradients
        are those of the whole batch, reduced by the caller together with the event targets' counts.
    present : torch.Tensor with shape (B, P), bool, optional
        :func:`particle_present` of each of ``targets``, stacked on the last axis, when the caller
        has it already (default: computed here).

    Returns
    -------
    loss : torch.Tensor, scalar
    parts : dict with the assignment and detection losses (detached)
    """
    if present is None:
        present = torch.stack([particle_present(t) for t in targets], dim=-1)
    num_particles = len(targets)
    per_permutation = []
    for perm in topology.event_symmetries:
        assign = torch.zeros_like(detection_logits[:, 0])
        detect = torch.zeros_like(assign)
        for p in range(num_particles):
            q = perm[p]  # EventTopology only exchanges particles with the same products
            group_size = len(topology.particles[p].symmetries)
            nll = -(gather_log_prob(log_probs[p], targets[q]) + math.log(group_size))
            assign = assign + torch.where(present[:, q], nll, torch.zeros_like(nll))
            detect = detect + F.binary_cross_entropy_with_logits(
                detection_logits[:, p], present[:, q].to(detection_logits.dtype), reduction="none"
            )
        per_permutation.append((assign, detect))
    assign_all = torch.stack([a for a, _ in per_permutation])
    detect_all = torch.stack([d for _, d in per_permutation])
    best = (assign_all + detection_weight * detect_all).argmin(0)
    assign = assign_all.gather(0, best[None]).squeeze(0)
    detect = detect_all.gather(0, best[None]).squeeze(0)
    assignment = divided(assign.sum(), present.sum().to(assign.dtype) if divisor is None else divisor)
    detection = detect.mean() / num_particles
    loss = assignment + detection_weight * detection
    return loss, {"assignment_loss": assignment.detach(), "detection_loss": detection.detach()}
