"""Load weaver-core's ParT and ParticleNet state dicts into our nets.

The modules compute the same functions; only names (and Conv1d/Conv2d kernels of size one, which
we hold as Linear weights) differ. The reference inputs also differ in layout: weaver takes
(B, C, N) features and (px, py, pz, E) momenta, ours (B, N, C) and (E, px, py, pz).

The per-particle features are the caller's. Weights trained with weaver expect weaver's own
(``log pT, log E, log pT_rel, log E_rel, delta R``, standardised and clipped to [-5, 5], the
particle-ID flags and impact parameters of the data config, then ``delta eta`` times the sign of
the jet's eta and ``delta phi``; the jet from all constituents of the file). The tagging
experiment computes them with ``data.features=weaver`` (``experiments/tagging/features.py``; its
default convention differs); ``docs/data.md`` says how to evaluate converted weights there,
where a binary tagger has one logit (:func:`binary_logit_head`).
"""

from __future__ import annotations

import re

import torch

_PART_BLOCK = {
    "pre_attn_norm": "norm_attn",
    "attn.in_proj": "qkv",
    "attn.out_proj": "out",
    "c_attn": "head_scale",
    "post_attn_norm": "norm_post_attn",
    "pre_fc_norm": "norm_ffn",
    "fc1": "fc1",
    "post_fc_norm": "norm_post_fc",
    "fc2": "fc2",
    "w_resid": "residual_scale",
}


def convert_part_state_dict(state: dict[str, torch.Tensor], prefix: str = "") -> dict[str, torch.Tensor]:
    """Rename a weaver ``ParticleTransformer`` (version 1) state dict for :class:`ParticleTransformer`.

    Parameters
    ----------
    state : dict of str to torch.Tensor
        ``weaver.nn.model.ParticleTransformer.ParticleTransformer(...).state_dict()``, also as
        saved by the ParT repository's training (keys under ``mod.``, or ``module.mod.``).
    prefix : str
        Prefix of our keys (e.g. ``"net."`` inside a wrapper).

    Returns
    -------
    dict of str to torch.Tensor
    """
    state = _unwrapped(state)
    out = {}
    num_fc = 1 + max((int(m.group(1)) for k in state if (m := re.match(r"fc\.(\d+)\.", k))), default=0)
    for key, value in state.items():
        out[prefix + _part_key(key, num_fc)] = value.squeeze(-1) if _is_kernel(key, value) else value
    return out


_WRAPPER_PREFIXES = ("module.", "mod.")
"""Prefixes of the modules that hold the net in saved checkpoints: ``torch.nn.DataParallel``'s and
the ParT repository's ``networks/example_*.py`` wrappers' (``self.mod``)."""


def _unwrapped(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """``state`` without the wrapper prefixes that all its keys share (outermost first)."""
    for prefix in _WRAPPER_PREFIXES:
        if state and all(key.startswith(prefix) for key in state):
            state = {key[len(prefix) :]: value for key, value in state.items()}
    return state


def _part_key(key: str, num_fc: int) -> str:
    if key.startswith("embed.input_bn."):
        return key.replace("embed.input_bn.", "embedding.input_norm.")
    if m := re.match(r"embed\.embed\.(\d+)\.(.*)", key):
        return f"embedding.layers.{m.group(1)}.{m.group(2)}"
    if m := re.match(r"pair_embed\.embed\.(\d+)\.(.*)", key):
        index = int(m.group(1))
        if index == 0:
            return f"pair_embedding.input_norm.{m.group(2)}"
        layer, kind = divmod(index - 1, 3)
        return f"pair_embedding.{'linears' if kind == 0 else 'norms'}.{layer}.{m.group(2)}"
    if m := re.match(r"(cls_blocks|blocks)\.(\d+)\.(.+)$", key):
        group, index, rest = m.groups()
        module, _, leaf = rest.rpartition(".") if rest not in _PART_BLOCK else (rest, "", "")
        ours = "blocks" if group == "blocks" else "class_blocks"
        return f"{ours}.{index}.{_PART_BLOCK[module]}" + (f".{leaf}" if leaf else "")
    if key == "cls_token":
        return "class_token"
    if key.startswith("norm."):
        return key
    if m := re.match(r"fc\.(\d+)\.(?:0\.)?(weight|bias)", key):
        return f"head.{3 * int(m.group(1))}.{m.group(2)}"
    raise KeyError(f"unexpected weaver ParT key {key!r}")


def convert_particlenet_state_dict(state: dict[str, torch.Tensor], prefix: str = "") -> dict[str, torch.Tensor]:
    """Rename a weaver ``ParticleNet`` state dict for :class:`lorentznets.nets.particlenet.ParticleNet`.

    Parameters
    ----------
    state : dict of str to torch.Tensor
        ``weaver.nn.model.ParticleNet.ParticleNet(...).state_dict()`` (classification, not
        segmentation), also under the ``mod.``/``module.`` prefixes of saved checkpoints.
    prefix : str
        Prefix of our keys.

    Returns
    -------
    dict of str to torch.Tensor
    """
    state = _unwrapped(state)
    out = {}
    for key, value in state.items():
        out[prefix + _particlenet_key(key)] = value.flatten(1) if _is_kernel(key, value) else value
    return out


def _particlenet_key(key: str) -> str:
    if key.startswith("bn_fts."):
        return key.replace("bn_fts.", "input_norm.")
    if m := re.match(r"edge_convs\.(\d+)\.(convs|bns)\.(\d+)\.(.*)", key):
        kind = "linears" if m.group(2) == "convs" else "norms"
        return f"edge_convs.{m.group(1)}.{kind}.{m.group(3)}.{m.group(4)}"
    if m := re.match(r"edge_convs\.(\d+)\.(sc|sc_bn)\.(.*)", key):
        kind = "shortcut" if m.group(2) == "sc" else "shortcut_norm"
        return f"edge_convs.{m.group(1)}.{kind}.{m.group(3)}"
    if m := re.match(r"fusion_block\.(\d)\.(.*)", key):
        return f"fusion.{'linear' if m.group(1) == '0' else 'norm'}.{m.group(2)}"
    if m := re.match(r"fc\.(\d+)\.(?:0\.)?(weight|bias)", key):
        return f"head.{3 * int(m.group(1))}.{m.group(2)}"
    raise KeyError(f"unexpected weaver ParticleNet key {key!r}")


def binary_logit_head(state: dict[str, torch.Tensor], positive: int, prefix: str = "") -> dict[str, torch.Tensor]:
    """Fold the two-class output layer of a converted state dict into one logit.

    Weaver's binary taggers score two classes with a softmax; ours emit one logit ``z`` with
    P(label 1) = sigmoid(z). ``z = l_positive - l_other`` gives the same probability, since
    softmax over two logits is the sigmoid of their difference.

    Parameters
    ----------
    state : dict of str to torch.Tensor
        Output of :func:`convert_part_state_dict` or :func:`convert_particlenet_state_dict`
        with an output layer ``<prefix>head.<k>`` of two rows.
    positive : int
        Weaver's index of the class that is our label 1 (top tagging ``top_kin.yaml``,
        ``[jet_isTop, jet_isQCD]``: 0; quark-gluon ``qg_*.yaml``, ``[jet_isQ, jet_isG]``: 0).
    prefix : str
        Prefix of the keys (e.g. ``"net."``).

    Returns
    -------
    dict of str to torch.Tensor
        ``state`` with that layer's weight (1, H) and bias (1,).
    """
    if positive not in (0, 1):
        raise ValueError(f"positive must be 0 or 1, got {positive}")
    heads = [int(m.group(1)) for key in state if (m := re.fullmatch(re.escape(prefix) + r"head\.(\d+)\.weight", key))]
    if not heads:
        raise KeyError(f"no output layer {prefix}head.<k>.weight in the state dict")
    out = dict(state)
    for leaf in ("weight", "bias"):
        key = f"{prefix}head.{max(heads)}.{leaf}"
        value = state[key]
        if value.shape[0] != 2:
            raise ValueError(f"{key} has shape {tuple(value.shape)}: not a two-class output layer")
        out[key] = (value[positive] - value[1 - positive])[None]
    return out


def _is_kernel(key: str, value: torch.Tensor) -> bool:
    # Conv1d/Conv2d weights with kernel size one: (out, in, 1) or (out, in, 1, 1)
    return key.endswith("weight") and value.dim() >= 3
