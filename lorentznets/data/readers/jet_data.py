"""The jets every tagging reader returns, whatever the file format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

Index = int | slice | Sequence[int] | np.ndarray | torch.Tensor


@dataclass
class JetData:
    """Jets as padded constituent arrays.

    Attributes
    ----------
    momenta : torch.Tensor with shape (N, P, 4), float32
        Constituent (E, px, py, pz) in GeV, by decreasing pT, zero for padding.
    mask : torch.Tensor with shape (N, P), bool
        True for real constituents; they always precede the padding.
    labels : torch.Tensor with shape (N,), int64, or None
        Top tagging: 1 = top; quark-gluon: 1 = quark; JetClass: class index 0..9 in the order
        QCD, Hbb, Hcc, Hgg, H4q, Hqql, Zqq, Wqq, Tbqq, Tbl. None for a file without labels, which
        only the readers' ``require_labels=False`` (predictions) accepts.
    scalars : torch.Tensor with shape (N, P, S), float32, or None
        Per-constituent particle-ID features where the format has them (zero for padding).
    truth : torch.Tensor with shape (N, 4), float32, or None
        Truth top-quark (E, px, py, pz) in GeV where the format has it.
    jets : torch.Tensor with shape (N, 4), float32, or None
        Each jet's (E, px, py, pz) in GeV from all its constituents in the file, also those beyond
        the P kept in ``momenta`` (JetClass: from the file's jet branches); every reader fills it.
    weights : torch.Tensor with shape (N,), float64, or None
        Per-jet event weights (finite, >= 0) where the file has them (our Pythia files compensate
        the pTHat bias with them); None means unit weights.
    source : str
        Where the jets came from (file(s), format, split), for messages and logs.
    """

    momenta: torch.Tensor
    mask: torch.Tensor
    labels: torch.Tensor | None
    scalars: torch.Tensor | None = None
    truth: torch.Tensor | None = None
    weights: torch.Tensor | None = None
    jets: torch.Tensor | None = None
    source: str = ""

    def __post_init__(self) -> None:
        n, p = self.mask.shape if self.mask.ndim == 2 else (None, None)
        expected = {
            "momenta": (self.momenta, (n, p, 4), torch.float32),
            "mask": (self.mask, (n, p), torch.bool),
        }
        if self.labels is not None:
            expected["labels"] = (self.labels, (n,), torch.int64)
        if self.scalars is not None:
            expected["scalars"] = (self.scalars, (n, p, self.scalars.shape[-1]), torch.float32)
        if self.truth is not None:
            expected["truth"] = (self.truth, (n, 4), torch.float32)
        if self.weights is not None:
            expected["weights"] = (self.weights, (n,), torch.float64)
        if self.jets is not None:
            expected["jets"] = (self.jets, (n, 4), torch.float32)
        for name, (tensor, shape, dtype) in expected.items():
            if n is None or tuple(tensor.shape) != shape or tensor.dtype != dtype:
                raise ValueError(
                    f"JetData from {self.source or 'unknown source'}: '{name}' has shape "
                    f"{tuple(tensor.shape)} and dtype {tensor.dtype}, expected {shape} and {dtype} "
                    f"(mask shape {tuple(self.mask.shape)})"
                )
        if self.weights is not None and not bool(((self.weights >= 0) & self.weights.isfinite()).all()):
            raise ValueError(f"JetData from {self.source or 'unknown source'}: 'weights' must be finite and >= 0")

    def __len__(self) -> int:
        return self.mask.shape[0]

    @property
    def num_particles(self) -> int:
        """Length P of the particle axis."""
        return self.mask.shape[1]

    @property
    def num_scalars(self) -> int:
        """Number S of per-constituent scalar features (0 without scalars)."""
        return 0 if self.scalars is None else self.scalars.shape[-1]

    def subset(self, index: Index) -> JetData:
        """The jets selected by ``index`` (an int, slice, integer indices or a bool mask of length N).

        Integer and slice indices keep the jet axis, so ``data.subset(3)`` holds one jet.
        """
        if isinstance(index, int):
            index = slice(index, index + 1 if index != -1 else None)
        elif not isinstance(index, slice):
            index = torch.as_tensor(np.asarray(index) if not torch.is_tensor(index) else index)
            if index.dtype == torch.bool and index.shape != (len(self),):
                raise ValueError(f"bool index has shape {tuple(index.shape)}, expected ({len(self)},)")
        return JetData(
            momenta=self.momenta[index],
            mask=self.mask[index],
            labels=None if self.labels is None else self.labels[index],
            scalars=None if self.scalars is None else self.scalars[index],
            truth=None if self.truth is None else self.truth[index],
            weights=None if self.weights is None else self.weights[index],
            jets=None if self.jets is None else self.jets[index],
            source=self.source,
        )

    @classmethod
    def concatenate(cls, parts: Sequence[JetData], source: str | None = None) -> JetData:
        """Join jets from several files along the jet axis (same P; labels/scalars/truth/weights/jets in all
        or none)."""
        if not parts:
            raise ValueError("JetData.concatenate needs at least one part")
        if len(parts) == 1:
            return parts[0]
        for field in ("labels", "scalars", "truth", "weights", "jets"):
            present = [getattr(part, field) is not None for part in parts]
            if any(present) and not all(present):
                missing = [part.source for part, has in zip(parts, present, strict=True) if not has]
                raise ValueError(f"cannot concatenate jets: '{field}' missing in {missing}")
        sizes = {part.num_particles for part in parts}
        if len(sizes) > 1:
            raise ValueError(f"cannot concatenate jets with particle axes of lengths {sorted(sizes)}")

        def cat(field: str) -> torch.Tensor | None:
            if getattr(parts[0], field) is None:
                return None
            return torch.cat([getattr(part, field) for part in parts])

        return cls(
            momenta=cat("momenta"),
            mask=cat("mask"),
            labels=cat("labels"),
            scalars=cat("scalars"),
            truth=cat("truth"),
            weights=cat("weights"),
            jets=cat("jets"),
            source=source if source is not None else " + ".join(part.source for part in parts),
        )
