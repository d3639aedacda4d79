"""Assignment dataset: events as tensors, batched whole and trimmed to the jets in use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import torch
from torch.utils.data import Dataset

from experiments.assignment.reader import AssignmentEvents, read_assignment_file
from experiments.common.generated_data import ensure_generated, pythia_generator
from experiments.common.splits import split_indices
from lorentznets.assignment.topology import EventTopology

AssignmentBatch = dict[str, torch.Tensor | list[torch.Tensor]]


class AssignmentDataset(Dataset):
    """Events as a map-style dataset whose batches are dicts of stacked tensors.

    ``__getitems__`` returns a whole batch, trimmed to the largest number of real vectors in it.
    Batch keys: ``features`` (B, N, F) raw, ``momenta`` (B, N, 4) GeV (see
    :class:`~experiments.assignment.reader.AssignmentEvents`), ``mask`` (B, N), ``multiplicity``
    (B,) real vectors in the inputs that hold targets,
    ``global_features`` (B, G), ``targets`` (list of (B, k_p)), ``regressions`` (B, R) NaN
    missing, ``classifications`` (B, C) -1 missing (R, C may be 0).

    Parameters
    ----------
    events : AssignmentEvents
    """

    def __init__(self, events: AssignmentEvents) -> None:
        self.events = events
        self.momenta = events.momenta
        self.source = events.source

    def __len__(self) -> int:
        return len(self.events)

    def __getitem__(self, index: int) -> AssignmentBatch:
        return self.__getitems__([index])

    def __getitems__(self, indices: Sequence[int]) -> AssignmentBatch:
        index = torch.as_tensor(indices, dtype=torch.long)
        mask = self.events.mask[index]
        length = int(mask.sum(dim=1).max())
        return {
            "features": self.events.features[index, :length],
            "momenta": self.momenta[index, :length],
            "multiplicity": self.events.multiplicity[index],
            "mask": mask[:, :length],
            "global_features": self.events.global_features[index],
            "targets": [t[index] for t in self.events.targets],
            "regressions": self.events.regressions[index],
            "classifications": self.events.classifications[index],
        }


def event_file_path(data_cfg: Mapping) -> Path:
    """The SPANet event YAML: ``data.event_file``, else the data file with suffix ``.yaml``."""
    if data_cfg.get("event_file"):
        return Path(data_cfg["event_file"])
    return Path(data_cfg["path"]).with_suffix(".yaml")


def load_assignment_splits(data_cfg: Mapping) -> tuple[EventTopology, dict[str, AssignmentEvents]]:
    """Read the topology and train/val/test events as configured.

    ``data.files`` (``{train, val, test}``) reads one file per split; otherwise ``data.path`` is
    read once (generated first with ``data.generate`` when missing) and split by
    ``data.split_fractions`` with ``data.split_seed``. ``data.max_events`` caps the events read
    per file.
    """
    files = data_cfg.get("files")
    if not files and not data_cfg.get("path"):
        raise ValueError("set data.path (one file, split randomly) or data.files (one per split)")
    if not files:
        generate = data_cfg["generate"]
        make = pythia_generator(data_cfg["path"], generate) if generate is not None else None
        what = f"{generate['n']} {generate['dataset']} events with Pythia" if generate is not None else ""
        hint = f"create it with: python -m lorentznets.data.generate ttbar --out {data_cfg['path']} --n <events>"
        ensure_generated(data_cfg["path"], generate, make, what, hint=hint)
    if not data_cfg.get("event_file") and files:
        raise ValueError("with data.files, set data.event_file (the SPANet event YAML)")
    topology = EventTopology.from_yaml(event_file_path(data_cfg))
    limit = data_cfg.get("max_events")
    if files:
        missing = {"train", "val", "test"} - set(files)
        if missing:
            raise KeyError(f"data.files needs the keys train, val, test; missing {sorted(missing)}")
        return topology, {s: read_assignment_file(files[s], topology, limit) for s in ("train", "val", "test")}
    events = read_assignment_file(data_cfg["path"], topology, limit)
    indices = split_indices(len(events), data_cfg["split_fractions"], data_cfg["split_seed"], events.source)
    return topology, {name: events.subset(index) for name, index in indices.items()}
