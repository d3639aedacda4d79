"""Load the LorentzNet authors' published checkpoints (LorentzNet-release) into our module.

The checkpoints are DataParallel state_dicts (keys prefixed ``module.``) of the original
``LorentzNet``: ``embedding``, ``LGEBs.<k>.phi_e / phi_h / phi_x / phi_m`` and ``graph_dec``.
Layer for layer they map onto :class:`~lorentznets.nets.LorentzNet` (see ``_BLOCK_KEYS``);
the returned network uses ``official=True`` so it reproduces the authors' outputs, and expects
the inputs of :mod:`lorentznets.layers.lorentznet.inputs`.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Mapping
from pathlib import Path

import torch

from ..nets.lorentznet import LorentzNet

# original LGEB submodule -> ours
_BLOCK_KEYS = {
    "phi_e.0": "edge_linear",
    "phi_e.1": "edge_norm",
    "phi_e.3": "edge_out",
    "phi_h.0": "node_linear",
    "phi_h.1": "node_norm",
    "phi_h.3": "node_out",
    "phi_x.0": "coord_hidden",
    "phi_x.2": "coord_out",
    "phi_m.0": "gate",
}
_TOP_KEYS = {"embedding": "embedding", "graph_dec.0": "decoder.0", "graph_dec.3": "decoder.3"}
# c_weight is not stored in the checkpoints; these are the values of the published runs' args.json
PUBLISHED_C_WEIGHT = {2: 5e-3, 8: 1e-3}

_BLOCK_PATTERN = re.compile(r"^LGEBs\.(\d+)\.(phi_[ehxm]\.\d+)\.(\w+)$")
_TOP_PATTERN = re.compile(r"^(embedding|graph_dec\.\d+)\.(\w+)$")


def convert_official_state_dict(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename an original LorentzNet state_dict to our parameter names.

    Parameters
    ----------
    state_dict : mapping of str to torch.Tensor
        Keys with or without the DataParallel prefix ``module.``.

    Returns
    -------
    dict of str to torch.Tensor

    Raises
    ------
    KeyError
        For a key that is not part of the original architecture.
    """
    out = {}
    for key, value in state_dict.items():
        name = key.removeprefix("module.")
        block = _BLOCK_PATTERN.match(name)
        top = _TOP_PATTERN.match(name)
        if block and block.group(2) in _BLOCK_KEYS:
            index, module, leaf = block.groups()
            out[f"blocks.{index}.{_BLOCK_KEYS[module]}.{leaf}"] = value
        elif top and top.group(1) in _TOP_KEYS:
            out[f"{_TOP_KEYS[top.group(1)]}.{top.group(2)}"] = value
        else:
            raise KeyError(f"unexpected key {key!r} in a LorentzNet checkpoint")
    return out


def to_official_state_dict(model: LorentzNet, prefix: str = "module.") -> dict[str, torch.Tensor]:
    """Inverse of :func:`convert_official_state_dict`: our weights under the original names.

    Parameters
    ----------
    model : LorentzNet
    prefix : str
        Prepended to every key (the DataParallel ``module.`` by default).

    Returns
    -------
    dict of str to torch.Tensor
    """
    inverse_block = {ours: theirs for theirs, ours in _BLOCK_KEYS.items()}
    inverse_top = {ours: theirs for theirs, ours in _TOP_KEYS.items()}
    out = {}
    for key, value in model.state_dict().items():
        block = re.match(r"^blocks\.(\d+)\.(\w+)\.(\w+)$", key)
        if block:
            index, module, leaf = block.groups()
            out[f"{prefix}LGEBs.{index}.{inverse_block[module]}.{leaf}"] = value
        else:
            module, leaf = key.rsplit(".", 1)
            out[f"{prefix}{inverse_top[module]}.{leaf}"] = value
    return out


def from_official_state_dict(
    state_dict: Mapping[str, torch.Tensor], c_weight: float | None = None, source: str = "state_dict"
) -> LorentzNet:
    """Build a LorentzNet (``official=True``, eval mode) from an original state_dict.

    Sizes (input scalars, hidden width, blocks, classes) are read off the weights.

    Parameters
    ----------
    state_dict : mapping of str to torch.Tensor
    c_weight : float, optional
        Coordinate-update weight; default: the published value for the checkpoint's number of
        input scalars (2: top tagging 5e-3, 8: quark-gluon 1e-3).
    source : str
        Named in error messages.

    Returns
    -------
    LorentzNet
    """
    converted = convert_official_state_dict(state_dict)
    for required in ("embedding.weight", "decoder.3.weight"):
        if required not in converted:
            raise KeyError(f"{source}: missing {required!r} (not a LorentzNet checkpoint?)")
    hidden, n_scalar = converted["embedding.weight"].shape
    n_class = converted["decoder.3.weight"].shape[0]
    num_blocks = 1 + max(int(k.split(".")[1]) for k in converted if k.startswith("blocks."))
    if c_weight is None:
        if n_scalar not in PUBLISHED_C_WEIGHT:
            raise ValueError(f"{source}: no published c_weight for {n_scalar} input scalars; pass c_weight")
        c_weight = PUBLISHED_C_WEIGHT[n_scalar]
    model = LorentzNet(
        in_scalar_channels=n_scalar,
        out_channels=n_class,
        hidden_channels=hidden,
        num_blocks=num_blocks,
        c_weight=c_weight,
        official=True,
    )
    expected = model.state_dict()
    problems = [
        f"{k}: checkpoint {tuple(v.shape)} vs model {tuple(expected[k].shape)}"
        for k, v in converted.items()
        if k in expected and v.shape != expected[k].shape
    ]
    missing = sorted(set(expected) - set(converted))
    unexpected = sorted(set(converted) - set(expected))
    if problems or missing or unexpected:
        raise KeyError(
            f"{source}: checkpoint does not match a LorentzNet with {num_blocks} blocks, "
            f"{hidden} hidden, {n_scalar} scalars; shape mismatches {problems}, missing {missing}, "
            f"unexpected {unexpected}"
        )
    model.load_state_dict(converted)
    return model.eval()


def from_official_checkpoint(path: str | Path, c_weight: float | None = None) -> LorentzNet:
    """Load an original LorentzNet checkpoint file (e.g. ``logs/top/pretrained/best-val-model.pt``).

    Parameters
    ----------
    path : str or Path
    c_weight : float, optional
        See :func:`from_official_state_dict`.

    Returns
    -------
    LorentzNet
        In eval mode with ``official=True``. Feed it
        :func:`~lorentznets.layers.lorentznet.top_tagging_inputs` (top) or
        :func:`~lorentznets.layers.lorentznet.quark_gluon_scalars` (quark-gluon); class 1 is
        signal (top, resp. quark).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"LorentzNet checkpoint {path} does not exist")
    try:
        state_dict = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        reason = (str(error).splitlines() or ["unpickling error"])[0]
        raise ValueError(
            f"refused to load the LorentzNet checkpoint {path}: the weights-only unpickler refused it ({reason}); "
            "only tensors and plain data load (nothing from the file was executed)"
        ) from None
    except Exception as error:  # noqa: BLE001 - any other unpickler failure means a broken file
        raise ValueError(
            f"LorentzNet checkpoint {path} is truncated or not a torch checkpoint ({error.__class__.__name__})"
        ) from None
    if not isinstance(state_dict, Mapping):
        raise ValueError(f"{path}: expected a state_dict, got {type(state_dict).__name__}")
    return from_official_state_dict(state_dict, c_weight=c_weight, source=str(path))
