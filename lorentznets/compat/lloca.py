"""Load ``lloca`` (2.0) backbone state dicts into our LLoCa nets.

lloca's multi-head q/k/v projection orders its output channels as (q/k/v, channel, head); ours as
(q/k/v, head, channel), so those rows are permuted. Everything else is renamed one to one.
"""

from __future__ import annotations

import torch


def _permute_qkv(tensor: torch.Tensor, num_heads: int) -> torch.Tensor:
    # rows (3, C, H) -> (3, H, C)
    rows = tensor.shape[0]
    head_dim = rows // (3 * num_heads)
    return tensor.reshape(3, head_dim, num_heads, *tensor.shape[1:]).transpose(1, 2).reshape(tensor.shape)


def convert_lloca_transformer_state_dict(
    state: dict[str, torch.Tensor], num_heads: int, prefix: str = ""
) -> dict[str, torch.Tensor]:
    """Convert ``lloca.backbone.transformer.Transformer`` (multi-head, ``multi_query=False``) weights.

    Parameters
    ----------
    state : dict of str to torch.Tensor
    num_heads : int
    prefix : str
        Prefix of our keys.

    Returns
    -------
    dict of str to torch.Tensor
        For :class:`lorentznets.nets.lloca_transformer.LLoCaTransformer`.
    """
    out = {}
    for key, value in state.items():
        if key.endswith("transform.parity_odd"):  # a constant of the representation, not a weight
            continue
        if ".attention.qkv_linear.linear." in key:
            out[prefix + key.replace(".attention.qkv_linear.linear.", ".qkv.")] = _permute_qkv(value, num_heads)
        elif ".attention.out_linear." in key:
            out[prefix + key.replace(".attention.out_linear.", ".out.")] = value
        elif ".attention.q_linear." in key or ".attention.k_linear." in key:
            raise ValueError("multi-query lloca Transformers are not supported; use multi_query=False")
        else:
            out[prefix + key] = value
    return out


def convert_lloca_part_state_dict(state: dict[str, torch.Tensor], prefix: str = "") -> dict[str, torch.Tensor]:
    """Convert ``lloca.backbone.particletransformer.ParticleTransformer`` (version 1) weights.

    lloca's LLoCa-ParT keeps weaver's module names (and head-major q/k/v), so this is the weaver
    ParT conversion (:func:`lorentznets.compat.weaver.convert_part_state_dict`).

    Parameters
    ----------
    state : dict of str to torch.Tensor
    prefix : str

    Returns
    -------
    dict of str to torch.Tensor
        For :class:`lorentznets.nets.lloca_part.LLoCaParticleTransformer`.
    """
    from .weaver import convert_part_state_dict

    weights = {key: value for key, value in state.items() if not key.endswith("transform.parity_odd")}
    return convert_part_state_dict(weights, prefix + "backbone.")


def convert_lloca_particlenet_state_dict(state: dict[str, torch.Tensor], prefix: str = "") -> dict[str, torch.Tensor]:
    """Convert ``lloca.backbone.particlenet.ParticleNet`` (classification) weights.

    lloca's LLoCa-ParticleNet keeps weaver's module names, so this is the weaver ParticleNet
    conversion (:func:`lorentznets.compat.weaver.convert_particlenet_state_dict`).

    Parameters
    ----------
    state : dict of str to torch.Tensor
    prefix : str

    Returns
    -------
    dict of str to torch.Tensor
        For :class:`lorentznets.nets.lloca_particlenet.LLoCaParticleNet`.
    """
    from .weaver import convert_particlenet_state_dict

    weights = {key: value for key, value in state.items() if not key.endswith("trafo.parity_odd")}
    return convert_particlenet_state_dict(weights, prefix + "backbone.")
