"""Tagging wrappers from model config files and the first jets of a tagging file, shared by the
tagger benchmarks (``bench_train_throughput.py``, ``bench_lloca.py``, ``float32_sensitivity.py``)."""

from __future__ import annotations

from pathlib import Path

import torch
import yaml

from experiments.registry import get_wrapper
from experiments.tagging.jet_file_batches import jet_file_batches

REPO = Path(__file__).resolve().parents[1]


def tagger_from_config(
    name: str,
    config_path: str,
    out_channels: int = 1,
    net_overrides: dict | None = None,
    frames: dict | None = None,
) -> torch.nn.Module:
    """The tagging wrapper of model ``name`` built from a model config, without per-particle scalars.

    Parameters
    ----------
    name : str
        Registered tagging model name.
    config_path : str
        Model config relative to the repository, e.g. ``config_paper/model/gatr.yaml``.
    out_channels : int
    net_overrides : dict, optional
        Replace these ``net`` entries (e.g. tiny sizes).
    frames : dict, optional
        Merged into ``wrapper.frames`` of a LLoCa config.

    Returns
    -------
    torch.nn.Module
    """
    config = yaml.safe_load((REPO / config_path).read_text())
    options = config.get("wrapper") or {}
    if frames:
        options = {**options, "frames": {**options["frames"], **frames}}
    net = {**config["net"], **(net_overrides or {})}
    return get_wrapper("tagging", name)(net, out_channels=out_channels, num_scalars=0, **options)


def first_jets(path: Path, jets: int, particles: int) -> dict[str, torch.Tensor]:
    """The first ``jets`` jets of a tagging file, as the tagging experiment batches them.

    Returns
    -------
    dict with ``momenta`` (jets, N, 4) GeV, zero where padded, N <= ``particles`` the longest jet;
    ``mask`` (jets, N) bool; ``labels`` (jets,) int64

    Raises
    ------
    ValueError
        The file holds fewer than ``jets`` jets.
    """
    batch = next(iter(jet_file_batches(path, "auto", particles, False, jets)))
    if len(batch["mask"]) < jets:
        raise ValueError(f"{path} holds {len(batch['mask'])} jets, fewer than --jets {jets}")
    return batch
