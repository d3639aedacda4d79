"""Variable-length batches: particles of all events concatenated, with per-event offsets."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import torch


def check_offsets(offsets: torch.Tensor, num_items: int | None = None) -> None:
    """Raise a clear ``ValueError`` unless ``offsets`` describe a packed batch without empty events.

    Reads tensor values (a host-device synchronisation on a GPU): call it where the data enter,
    not in a net's ``forward``.

    Parameters
    ----------
    offsets : torch.Tensor with shape (B + 1,), integer
    num_items : int or None
        T, the number of packed items, checked against ``offsets[-1]`` when given.
    """
    if offsets.dim() != 1 or offsets.numel() < 2 or offsets.dtype.is_floating_point:
        raise ValueError(f"offsets must be a 1-d integer tensor (B + 1,), got {offsets.dtype} {tuple(offsets.shape)}")
    lengths = offsets.diff()
    if int(offsets[0]) != 0 or bool((lengths <= 0).any()):
        empty = torch.nonzero(lengths <= 0).flatten().tolist()
        raise ValueError(f"offsets must start at 0 and increase strictly; empty events at {empty}")
    if num_items is not None and int(offsets[-1]) != num_items:
        raise ValueError(f"offsets end at {int(offsets[-1])} but the packed batch has {num_items} items")


@dataclass(frozen=True)
class PackedSegments:
    """Index bookkeeping for a packed batch of B events with T particles in total.

    Built without reading tensor values when ``num_items`` and ``max_length`` are given, so a
    net can build it in ``forward`` on a GPU and under ``torch.compile(fullgraph=True)``.

    Attributes
    ----------
    offsets : torch.Tensor with shape (B + 1,), int64
        Event b owns particles ``offsets[b]:offsets[b + 1]``.
    event_ids : torch.Tensor with shape (T,), int64
        Event of each particle.
    positions : torch.Tensor with shape (T,), int64
        Position of each particle within its event.
    max_length : int
        Largest event size, or an upper bound of it (padding backends pad to it).
    block_mask : torch.nn.attention.flex_attention.BlockMask or None
        FlexAttention mask of the events, built once per batch by the ``"flex"`` backend's users.
    """

    offsets: torch.Tensor
    event_ids: torch.Tensor
    positions: torch.Tensor
    max_length: int
    block_mask: Any = None

    @classmethod
    def from_offsets(
        cls,
        offsets: torch.Tensor,
        num_items: int | None = None,
        max_length: int | None = None,
        validate: bool = True,
    ) -> PackedSegments:
        """Index a packed batch.

        Parameters
        ----------
        offsets : torch.Tensor with shape (B + 1,), integer
            Starting at 0, strictly increasing (no empty event).
        num_items : int or None
            T; read from ``offsets[-1]`` (a synchronisation) when None.
        max_length : int or None
            Largest event size (or an upper bound); read from the offsets (a synchronisation) when
            None. A collate function knows it for free.
        validate : bool
            Check the offsets with :func:`check_offsets` (a synchronisation).

        Returns
        -------
        PackedSegments
        """
        if validate:
            check_offsets(offsets, num_items)
        offsets = offsets.long()
        if num_items is None:
            num_items = int(offsets[-1])
        if max_length is None:
            max_length = int(offsets.diff().max()) if offsets.numel() > 1 else 0
        items = torch.arange(num_items, device=offsets.device)
        # searchsorted instead of repeat_interleave: the output size is static.
        event_ids = torch.searchsorted(offsets[1:], items, right=True)
        return cls(offsets, event_ids, items - offsets[event_ids], max_length)

    @classmethod
    def from_mask(cls, mask: torch.Tensor, validate: bool = True) -> PackedSegments:
        """Segments of the real entries of a padded batch (mask (B, N) bool, real particles first).

        Reads the number of real entries from the mask (a synchronisation on a GPU).
        """
        if mask.dim() != 2 or mask.dtype != torch.bool:
            raise ValueError(f"mask must be a (B, N) bool tensor, got {mask.dtype} {tuple(mask.shape)}")
        lengths = mask.sum(1)
        if validate and bool((lengths == 0).any()):
            raise ValueError(f"mask has empty events at {torch.nonzero(lengths == 0).flatten().tolist()}")
        offsets = torch.cat([lengths.new_zeros(1), lengths.cumsum(0)])
        return cls.from_offsets(offsets, validate=False)

    def with_block_mask(self, block_mask: Any) -> PackedSegments:
        """A copy carrying a FlexAttention ``BlockMask`` of these events."""
        return replace(self, block_mask=block_mask)

    @property
    def num_events(self) -> int:
        """B."""
        return self.offsets.numel() - 1

    @property
    def num_items(self) -> int:
        """T."""
        return self.event_ids.numel()

    @property
    def padded_index(self) -> torch.Tensor:
        """(T,) int64: position ``b * max_length + i`` of each particle in a (B, max_length) padded batch."""
        return self.event_ids * self.max_length + self.positions

    def key_mask(self) -> torch.Tensor:
        """(B, max_length) bool, True at real particles."""
        lengths = self.offsets.diff()
        return torch.arange(self.max_length, device=lengths.device) < lengths[:, None]

    def pad(self, packed: torch.Tensor, dim: int = 0) -> torch.Tensor:
        """(..., T, ...) -> (..., B, max_length, ...) with zeros at padding; ``dim`` is the T axis."""
        dim = dim % packed.dim()
        shape = list(packed.shape)
        shape[dim] = self.num_events * self.max_length
        out = packed.new_zeros(shape).index_copy(dim, self.padded_index, packed)
        return out.unflatten(dim, (self.num_events, self.max_length))

    def unpad(self, padded: torch.Tensor, dim: int = 0) -> torch.Tensor:
        """(..., B, max_length, ...) -> (..., T, ...); ``dim`` is the B axis."""
        dim = dim % padded.dim()
        return padded.flatten(dim, dim + 1).index_select(dim, self.padded_index)
