"""A tagger with the jet momenta as a positional input, for the exports that call a module with
positional tensors only (ONNX)."""

from __future__ import annotations

import torch
from torch import nn

from experiments.tagging.wrappers import TaggingWrapper


class JetMomentumInput(nn.Module):
    """``tagger`` with ``forward(momenta, mask, jets, scalars=None)``: a tagger of the ``weaver``
    feature convention (:attr:`~experiments.tagging.wrappers.TaggingWrapper.takes_jets`) needs each
    jet's momentum from all its constituents, which no positional input of its own ``forward``
    carries.

    Parameters
    ----------
    tagger : TaggingWrapper
    """

    def __init__(self, tagger: TaggingWrapper) -> None:
        super().__init__()
        self.tagger = tagger

    def forward(
        self, momenta: torch.Tensor, mask: torch.Tensor, jets: torch.Tensor, scalars: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits (B, out_channels) of jets ``momenta`` (B, N, 4) GeV with ``mask`` (B, N), ``jets``
        (B, 4) GeV and ``scalars`` (B, N, S)."""
        return self.tagger(momenta, mask, scalars, jets=jets)
