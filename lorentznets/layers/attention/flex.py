"""Block-sparse attention on packed batches with PyTorch's FlexAttention (the CUDA path).

FlexAttention evaluates only the (128 x 128) tiles of the T x T score matrix that touch one
event, so a packed batch costs about sum_b n_b^2 instead of B max_n^2, without padding and without
third-party kernels. Its fused kernels come from ``torch.compile``: outside a compiled region we
call a compiled ``flex_attention`` (the eager one materialises all T x T scores).
"""

from __future__ import annotations

import functools

import torch

from .segments import PackedSegments


def flex_available() -> bool:
    """Whether the installed torch has ``torch.nn.attention.flex_attention``."""
    try:
        from torch.nn.attention import flex_attention  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _compiled_flex_attention():
    from torch.nn.attention.flex_attention import flex_attention

    return torch.compile(flex_attention)


def event_block_mask(segments: PackedSegments):
    """FlexAttention ``BlockMask`` that lets each particle attend to the particles of its own event.

    Built from the event ids alone (no host synchronisation); compiled outside a compiled region
    on CUDA, so that the T x T mask is never materialised.

    Parameters
    ----------
    segments : PackedSegments

    Returns
    -------
    torch.nn.attention.flex_attention.BlockMask
    """
    from torch.nn.attention.flex_attention import create_block_mask

    events = segments.event_ids

    def same_event(batch, head, q_index, kv_index):
        return events[q_index] == events[kv_index]

    total = segments.num_items
    device = events.device
    compile_mask = device.type == "cuda" and not torch.compiler.is_compiling()
    return create_block_mask(same_event, None, None, total, total, device=device, _compile=compile_mask)


def flex_packed_attention(
    query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, segments: PackedSegments
) -> torch.Tensor:
    """Per-event softmax attention of a packed batch with FlexAttention.

    Parameters
    ----------
    query, key, value : torch.Tensor with shape (H, T, F)
        One dtype; the caller chooses the precision.
    segments : PackedSegments
        Its ``block_mask`` is used when set, else one is built.

    Returns
    -------
    torch.Tensor with shape (H, T, F)
    """
    block_mask = segments.block_mask if segments.block_mask is not None else event_block_mask(segments)
    if query.device.type == "cuda" and not torch.compiler.is_compiling():
        attend = _compiled_flex_attention()
    else:
        from torch.nn.attention.flex_attention import flex_attention as attend
    features = query.shape[-1]
    # The Triton kernels want a power-of-two head size: zero features change no score.
    width = max(16, 1 << (features - 1).bit_length())
    query, key, value = (torch.nn.functional.pad(t, (0, width - features)).unsqueeze(0) for t in (query, key, value))
    out = attend(query, key, value, block_mask=block_mask, scale=features**-0.5)
    return out.squeeze(0)[..., :features]
