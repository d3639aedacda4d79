"""Tagging datasets: jets from the readers held as tensors, split and batched without
per-jet Python objects."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import torch
from torch.utils.data import Dataset

from lorentznets.data.readers import JetData

LOGGER = logging.getLogger("lorentznets")

TaggingBatch = dict[str, torch.Tensor]


class JetDataset(Dataset):
    """Jets as a map-style dataset whose batches are dicts of stacked tensors.

    ``__getitems__`` returns a whole batch at once (torch's DataLoader uses it), trimmed to the
    largest number of real constituents in the batch so padding costs nothing.

    Parameters
    ----------
    jets : JetData
        From :func:`lorentznets.data.readers.load_jets`.
    use_scalars : bool
        Include per-particle scalars (particle ID) if the data has them.
    weights : torch.Tensor with shape (N,) or None
        Per-jet weights for the loss and metrics (see :func:`class_normalised_weights`); batches
        then carry them as ``"weights"`` (float32).
    """

    def __init__(self, jets: JetData, use_scalars: bool = False, weights: torch.Tensor | None = None) -> None:
        self.momenta = jets.momenta
        self.mask = jets.mask
        self.labels = jets.labels
        self.jets = jets.jets
        self.scalars = jets.scalars if use_scalars else None
        self.source = jets.source
        if weights is not None and weights.shape != (len(jets),):
            raise ValueError(f"{self.source}: weights have shape {tuple(weights.shape)}, expected ({len(jets)},)")
        self.weights = None if weights is None else weights.to(torch.float32)

    @property
    def num_scalars(self) -> int:
        """Per-particle scalar features S (0 without scalars)."""
        return 0 if self.scalars is None else self.scalars.shape[-1]

    def __len__(self) -> int:
        return len(self.mask)

    def __getitem__(self, index: int) -> TaggingBatch:
        return self.__getitems__([index])

    def __getitems__(self, indices: Sequence[int]) -> TaggingBatch:
        index = torch.as_tensor(indices, dtype=torch.long)
        return trimmed_batch(
            self.momenta[index],
            self.mask[index],
            None if self.labels is None else self.labels[index],
            None if self.scalars is None else self.scalars[index],
            None if self.weights is None else self.weights[index],
            None if self.jets is None else self.jets[index],
        )

    def momentum_spread(self) -> float:
        """Standard deviation (GeV) of the real constituents' four-momentum components."""
        return float(self.momenta[self.mask].std())

    def head(self, n: int) -> TaggingBatch:
        """The first ``n`` jets (fewer if the split is smaller) as one batch."""
        return self.__getitems__(list(range(min(n, len(self)))))


def trimmed_batch(
    momenta: torch.Tensor,
    mask: torch.Tensor,
    labels: torch.Tensor | None,
    scalars: torch.Tensor | None = None,
    weights: torch.Tensor | None = None,
    jets: torch.Tensor | None = None,
) -> TaggingBatch:
    """A batch dict, its particle axis cut to the largest number of real constituents.

    Parameters
    ----------
    momenta : torch.Tensor with shape (B, P, 4)
    mask : torch.Tensor with shape (B, P), bool
    labels : torch.Tensor with shape (B,) or None
        None for the jets of a file without labels (predictions).
    scalars : torch.Tensor with shape (B, P, S) or None
    weights : torch.Tensor with shape (B,) or None
        Loss and metric weights, carried as float32.
    jets : torch.Tensor with shape (B, 4) or None
        Each jet's momentum (E, px, py, pz) in GeV from all its constituents in the file
        (:attr:`~lorentznets.data.readers.JetData.jets`), for the ``weaver`` feature convention.

    Returns
    -------
    dict with ``momenta`` (B, L, 4), ``mask`` (B, L), and ``labels`` (B,), ``scalars`` (B, L, S),
    ``weights`` (B,), ``jets`` (B, 4) when given; L >= 1.
    """
    length = max(int(mask.sum(dim=1).max()), 1)
    batch = {"momenta": momenta[:, :length], "mask": mask[:, :length]}
    if labels is not None:
        batch["labels"] = labels
    if scalars is not None:
        batch["scalars"] = scalars[:, :length]
    if weights is not None:
        batch["weights"] = weights.to(torch.float32)
    if jets is not None:
        batch["jets"] = jets
    return batch


def check_split_classes(
    present: Sequence[int],
    class_names: Sequence[str],
    split: str,
    source: str,
    scope: str = "",
    every_class: bool = False,
) -> None:
    """Refuse a split with labels outside the classes or with fewer than two classes, and (with
    ``every_class``) a whole training split without jets of a named class (a surplus
    ``data.class_names`` entry, or files of fewer classes than named); warn about such classes
    otherwise.

    Parameters
    ----------
    present : sequence of int
        The distinct labels found in the split, sorted (at least one).
    class_names : sequence of str
        ``data.class_names``, indexed by label.
    split : str
        Split name, for messages.
    source : str
        The split's files, for messages.
    scope : str
        Which jets ``present`` was taken from when not all of them (appended to the messages).
    every_class : bool
        Refuse a whole ``"train"`` split without jets of a named class (a training whose classes
        are named freely; JetClass files name the classes before the ones they hold, too).

    Raises
    ------
    ValueError
        A label outside ``0 .. len(class_names) - 1``, a single class, or a class missing from the
        whole training split.
    """
    if present[0] < 0 or present[-1] >= len(class_names):
        raise ValueError(
            f"{source}: {split} split has labels {list(present)} outside 0..{len(class_names) - 1} "
            f"(data.class_names has {len(class_names)} classes){scope}"
        )
    if len(present) < 2:
        raise ValueError(
            f"{source}: the {split} split holds only the class(es) {[class_names[i] for i in present]} of "
            f"{list(class_names)}{scope}: a tagger cannot be trained or evaluated on it (check data.files, "
            "data.max_jets and the files' labels)"
        )
    absent = [name for label, name in enumerate(class_names) if label not in present]
    if absent and every_class and split == "train" and not scope:
        raise ValueError(
            f"{source}: the training split has no jets of the class(es) {absent} of data.class_names "
            f"{list(class_names)}: their outputs would never be trained, and the metrics would change to a "
            f"{len(class_names)}-class tagger's (name only the files' classes, in label order)"
        )
    if absent:
        LOGGER.warning(
            "%s: the %s split has no jets of the class(es) %s of data.class_names %s%s",
            source,
            split,
            absent,
            list(class_names),
            scope,
        )


def class_normalised_weights(jets: JetData, num_classes: int, split: str) -> torch.Tensor:
    """Per-jet weights rescaled so that they average to 1 within each class.

    The physical mix inside a class comes from the weights; the class balance stays that of the
    jet counts, as without weights.

    Parameters
    ----------
    jets : JetData
        Jets with ``weights``.
    num_classes : int
        Number of classes C (labels 0..C-1).
    split : str
        Split name, for messages.

    Returns
    -------
    torch.Tensor with shape (N,), float64

    Raises
    ------
    ValueError
        ``jets`` has no weights, or the weights of a class present in the split sum to zero.
    """
    if jets.weights is None:
        raise ValueError(f"{jets.source}: {split} split has no per-jet weights")
    sums = torch.zeros(num_classes, dtype=torch.float64).index_add_(0, jets.labels, jets.weights)
    counts = torch.bincount(jets.labels, minlength=num_classes).to(torch.float64)
    zero = (counts > 0) & (sums <= 0)
    if zero.any():
        raise ValueError(
            f"{jets.source}: the weights of class {int(zero.nonzero()[0])} in the {split} split sum to "
            f"zero; cannot normalise them (set data.use_weights=false to ignore the weights)"
        )
    means = sums / counts.clamp(min=1)
    return jets.weights / means.clamp(min=torch.finfo(torch.float64).tiny)[jets.labels]


def effective_sample_sizes(weights: torch.Tensor, labels: torch.Tensor, num_classes: int) -> list[float]:
    """Effective number of jets (sum w)^2 / sum w^2 of each class.

    Parameters
    ----------
    weights : torch.Tensor with shape (N,)
    labels : torch.Tensor with shape (N,), int64 in 0..C-1
    num_classes : int
        Number of classes C.

    Returns
    -------
    list of C floats (0 for a class without jets)
    """
    weights = weights.to(torch.float64)
    sums = torch.zeros(num_classes, dtype=torch.float64).index_add_(0, labels, weights)
    squares = torch.zeros(num_classes, dtype=torch.float64).index_add_(0, labels, weights**2)
    return (sums**2 / squares.clamp(min=torch.finfo(torch.float64).tiny)).tolist()


def collate_batch(batch: TaggingBatch) -> TaggingBatch:
    """Identity collate: :meth:`JetDataset.__getitems__` already returns a stacked batch."""
    return batch
