"""Variable-length batches: particles of all events concatenated, with per-event offsets."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class PackedSegments:
    """Index bookkeeping for a packed batch of B events with T particles in total.

    Attributes
    ----------
    offsets : torch.Tensor with shape (B + 1,), int64
        Event b owns particles ``offsets[b]:offsets[b + 1]``.
    max_length : int
        Largest event size.
    padded_index : torch.Tensor with shape (T,), int64
        Position ``b * max_length + i`` of each particle in a (B, max_length) padded batch.
    """

    offsets: torch.Tensor
    max_length: int
    padded_index: torch.Tensor

    @classmethod
    def from_offsets(cls, offsets: torch.Tensor) -> PackedSegments:
        """Validate offsets (start at 0, strictly increasing: no empty event) and index them."""
        if offsets.dim() != 1 or offsets.numel() < 2 or offsets.dtype.is_floating_point:
            raise ValueError(
                f"offsets must be a 1-d integer tensor (B + 1,), got {offsets.dtype} {tuple(offsets.shape)}"
            )
        offsets = offsets.long()
        lengths = offsets.diff()
        if int(offsets[0]) != 0 or bool((lengths <= 0).any()):
            empty = torch.nonzero(lengths <= 0).flatten().tolist()
            raise ValueError(f"offsets must start at 0 and increase strictly; empty events at {empty}")
        max_length = int(lengths.max())
        events = torch.repeat_interleave(torch.arange(len(lengths), device=offsets.device), lengths)
        position = torch.arange(int(offsets[-1]), device=offsets.device) - offsets[events]
        return cls(offsets, max_length, events * max_length + position)

    @classmethod
    def from_mask(cls, mask: torch.Tensor) -> PackedSegments:
        """Segments of the real entries of a padded batch (mask (B, N) bool, real particles first)."""
        if mask.dim() != 2 or mask.dtype != torch.bool:
            raise ValueError(f"mask must be a (B, N) bool tensor, got {mask.dtype} {tuple(mask.shape)}")
        lengths = mask.sum(1)
        if bool((lengths == 0).any()):
            raise ValueError(f"mask has empty events at {torch.nonzero(lengths == 0).flatten().tolist()}")
        offsets = torch.cat([lengths.new_zeros(1), lengths.cumsum(0)])
        return cls.from_offsets(offsets)

    @property
    def num_events(self) -> int:
        """B."""
        return self.offsets.numel() - 1

    @property
    def num_items(self) -> int:
        """T."""
        return self.padded_index.numel()

    def key_mask(self) -> torch.Tensor:
        """(B, max_length) bool, True at real particles."""
        mask = torch.zeros(self.num_events * self.max_length, dtype=torch.bool, device=self.offsets.device)
        mask[self.padded_index] = True
        return mask.view(self.num_events, self.max_length)

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
