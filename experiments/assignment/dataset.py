"""Assignment dataset: events as tensors, batched whole and trimmed to the jets in use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import torch
from torch.utils.data import Dataset

from experiments.assignment.reader import AssignmentEvents, read_assignment_file
from experiments.tagging.dataset import generate_if_missing
from lorentznets.assignment.topology import EventTopology
from lorentznets.lorentz import from_pt_eta_phi_m

AssignmentBatch = dict[str, torch.Tensor | list[torch.Tensor]]


def jet_momenta(events: AssignmentEvents, momentum_features: Sequence[str]) -> torch.Tensor:
    """Jet four-momenta (E, px, py, pz) in GeV from the (pt, eta, phi, mass) features.

    Parameters
    ----------
    events : AssignmentEvents
    momentum_features : sequence of 4 str
        Names of the pt (GeV), eta, phi and mass (GeV) features, in that order.

    Returns
    -------
    torch.Tensor with shape (E, N, 4), float32, zero for padding
    """
    if len(momentum_features) != 4:
        raise ValueError(f"data.momentum_features needs the names of pt, eta, phi, mass, got {list(momentum_features)}")
    missing = [name for name in momentum_features if name not in events.feature_names]
    if missing:
        raise KeyError(
            f"{events.source}: momentum features {missing} are not inputs of the event file "
            f"(features: {list(events.feature_names)})"
        )
    columns = [events.feature_names.index(name) for name in momentum_features]
    momenta = from_pt_eta_phi_m(events.features[..., columns].double())
    return (momenta * events.mask[..., None]).float()


class AssignmentDataset(Dataset):
    """Events as a map-style dataset whose batches are dicts of stacked tensors.

    ``__getitems__`` returns a whole batch, trimmed to the largest number of real jets in it.
    Batch keys: ``features`` (B, N, F) raw, ``momenta`` (B, N, 4) GeV, ``mask`` (B, N),
    ``global_features`` (B, G), ``targets`` (list of (B, k_p)), ``regressions`` (B, R) NaN
    missing, ``classifications`` (B, C) -1 missing (R, C may be 0).

    Parameters
    ----------
    events : AssignmentEvents
    momentum_features : sequence of 4 str
        See :func:`jet_momenta`.
    """

    def __init__(self, events: AssignmentEvents, momentum_features: Sequence[str]) -> None:
        self.events = events
        self.momenta = jet_momenta(events, momentum_features)
        self.source = events.source

    @property
    def num_jets(self) -> torch.Tensor:
        """Real jets per event, (E,)."""
        return self.events.mask.sum(dim=1)

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
            "mask": mask[:, :length],
            "global_features": self.events.global_features[index],
            "targets": [t[index] for t in self.events.targets],
            "regressions": self.events.regressions[index],
            "classifications": self.events.classifications[index],
        }


def random_split(events: AssignmentEvents, fractions: Sequence[float], seed: int) -> dict[str, AssignmentEvents]:
    """Split events into train/val/test by a seeded permutation (fractions sum to <= 1)."""
    if len(fractions) != 3 or any(f <= 0 for f in fractions) or sum(fractions) > 1 + 1e-9:
        raise ValueError(f"data.split_fractions must be three positive numbers summing to <= 1, got {list(fractions)}")
    order = torch.randperm(len(events), generator=torch.Generator().manual_seed(seed))
    bounds = [0]
    for fraction in fractions:
        bounds.append(bounds[-1] + int(round(fraction * len(events))))
    splits = {}
    for name, start, stop in zip(("train", "val", "test"), bounds[:-1], bounds[1:], strict=True):
        if stop <= start:
            raise ValueError(
                f"{events.source}: {len(events)} events are too few for a non-empty {name} split "
                f"with fractions {list(fractions)}"
            )
        splits[name] = events.subset(order[start:stop])
    return splits


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
        generate_if_missing(Path(data_cfg["path"]), data_cfg.get("generate"))
        if not Path(data_cfg["path"]).is_file():
            raise FileNotFoundError(f"assignment data file not found: {data_cfg['path']} (data.generate is off)")
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
    return topology, random_split(events, data_cfg["split_fractions"], data_cfg["split_seed"])
