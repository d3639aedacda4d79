"""Top jets with their truth top momentum, batched as dicts of tensors.

A batch holds ``momenta`` (B, N, 4) and ``mask`` (B, N) of the ``data.max_particles`` hardest
constituents (the net's inputs), the ``truth`` top momenta (B, 4) and the ``jets``' momenta (B, 4)
from all their constituents (the baseline), all in GeV.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch.utils.data import Dataset

from experiments.common.jet_splits import load_jet_splits
from lorentznets.data.readers import JetData

RegressionBatch = dict[str, torch.Tensor]


class TopMomentumDataset(Dataset):
    """Signal (top) jets and their truth top momentum.

    Parameters
    ----------
    jets : JetData
        Jets with ``truth`` and ``jets`` (each jet's momentum from all its constituents, the
        baseline); only ``labels == 1`` (top) jets are kept.
    split : str
        The split's name, for messages.

    Raises
    ------
    ValueError
        No truth or jet momenta in the data, or no top jets, or non-finite truth momenta.
    """

    def __init__(self, jets: JetData, split: str = "") -> None:
        if jets.truth is None:
            raise ValueError(
                f"{jets.source}: no truth top momenta (key 'truth_Pmu' in lgn_h5 files, "
                "'truthE..truthPZ' in landscape files); ptopreco needs them"
            )
        if jets.jets is None:
            raise ValueError(f"{jets.source}: no jet momenta (JetData.jets); ptopreco compares with them")
        keep = jets.labels == 1
        where = f"the {split} split of {jets.source}" if split else jets.source
        if not keep.any():
            advice = ": adjust data.split_fractions or use more jets" if split else ""
            raise ValueError(f"{where}: no top (label 1) jets to regress{advice}")
        self.momenta = jets.momenta[keep]
        self.mask = jets.mask[keep]
        self.truth = jets.truth[keep]
        self.jets = jets.jets[keep]
        self.source = jets.source
        bad = ~torch.isfinite(self.truth).all(dim=1) | (self.truth[:, 0] <= 0)
        if bad.any():
            raise ValueError(
                f"{where}: {int(bad.sum())} top jets have a non-finite or non-positive-energy "
                f"truth momentum, first {self.truth[int(bad.nonzero()[0])].tolist()} (key 'truth_Pmu', or "
                "'truthE..truthPZ' in landscape files)"
            )

    def __len__(self) -> int:
        return len(self.truth)

    def __getitem__(self, index: int) -> RegressionBatch:
        return self.__getitems__([index])

    def __getitems__(self, indices: Sequence[int]) -> RegressionBatch:
        index = torch.as_tensor(indices, dtype=torch.long)
        mask = self.mask[index]
        length = max(int(mask.sum(dim=1).max()), 1)
        return {
            "momenta": self.momenta[index, :length],
            "mask": mask[:, :length],
            "truth": self.truth[index],
            "jets": self.jets[index],
        }


def load_top_momentum_splits(data_cfg: Mapping) -> dict[str, TopMomentumDataset]:
    """Read and split jets as the tagging experiment does, keeping top jets with truth."""
    return {name: TopMomentumDataset(jets, name) for name, jets in load_jet_splits(data_cfg).items()}
