"""Load state dicts of the official ``lgatr`` package (2.x) into :class:`lorentznets.nets.lgatr.LGATr`.

Supported: ``lgatr.LGATr`` with self-attention (no multi-query, no reinserted channels; a head
scale needs ``attention={..., "head_scale": True}`` on our net too), the default primitives
(proper orthochronous subgroup) or ``subgroup=False``. The linear-map basis is the same (grade
projections, then right multiplication by the pseudoscalar), so weights carry over; what changes
is the order of channels (``lgatr`` orders query/key/value channels as (qkv, channel, head), we as
(qkv, head, channel)) and of the scalar slots, which we store slot-major.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import torch

from ..layers.gatr.linear import EquivariantLinear
from ..nets.lgatr import LGATr

_RENAMES = (
    (r"\.attention\.qkv_module\.in_linear\.", ".attention.qkv."),
    (r"\.attention\.out_linear\.", ".attention.out."),
    (r"\.linear_left\.", ".left."),
    (r"\.linear_right\.", ".right."),
    (r"(mlp\.layers\.\d+)\.linear_out\.", r"\1.out."),
    (r"\.s2mvs\.", ".s_to_mv."),
    (r"\.mvs2s\.", ".mv_to_s."),
    (r"\.s2s\.", ".s_to_s."),
)
_UNSUPPORTED = ("q_linear", "k_linear", "v_linear")


def _rename(key: str) -> str:
    key = "." + key
    for pattern, replacement in _RENAMES:
        key = re.sub(pattern, replacement, key)
    if key.endswith(".bias") and key.count(".") >= 1:
        stem = key[: -len(".bias")]
        if not any(stem.endswith(s) for s in (".s_to_mv", ".mv_to_s", ".s_to_s")):
            key = stem + ".bias_mv"
    return key[1:]


def _slot_major(t: torch.Tensor, slots: int, dim: int) -> torch.Tensor:
    # (..., channels * slots interleaved, ...) -> (..., slots * channels, ...)
    if slots == 1:
        return t
    return t.unflatten(dim, (-1, slots)).transpose(dim, dim + 1).flatten(dim, dim + 1)


def _qkv_permutation(heads: int, hidden: int) -> torch.Tensor:
    # Our channel (qkv, head, c) takes lgatr channel (qkv, c, head).
    idx = torch.arange(3 * hidden * heads).view(3, hidden, heads)
    return idx.transpose(1, 2).flatten()


def convert_lgatr_state_dict(state_dict: Mapping[str, torch.Tensor], net: LGATr) -> dict[str, torch.Tensor]:
    """Translate an ``lgatr.LGATr`` state dict into one for ``net``.

    Parameters
    ----------
    state_dict : mapping
        ``lgatr.LGATr(...).state_dict()``.
    net : LGATr
        Our net with the same hyperparameters.

    Returns
    -------
    dict
        Ready for ``net.load_state_dict``.
    """
    bad = sorted(k for k in state_dict if any(u in k for u in _UNSUPPORTED))
    if bad:
        raise ValueError(f"unsupported lgatr features (multi-query attention): {bad[:4]}")
    modules = dict(net.named_modules())
    out: dict[str, torch.Tensor] = {}
    for key, value in state_dict.items():
        new_key = _rename(key)
        owner_name, _, param = new_key.rpartition(".")
        owner = modules.get(owner_name)
        linear_name = owner_name if isinstance(owner, EquivariantLinear) else owner_name.rsplit(".", 1)[0]
        linear = modules.get(linear_name)
        value = value.detach().clone()
        if isinstance(linear, EquivariantLinear):
            value = _convert_linear_tensor(value, linear, owner_name, linear_name, param)
            if linear_name.endswith("attention.qkv"):
                value = _permute_qkv(value, net, linear_name, owner_name, param)
        out[new_key] = value
    expected = set(net.state_dict())
    missing, unexpected = sorted(expected - set(out)), sorted(set(out) - expected)
    if missing or unexpected:
        raise KeyError(f"lgatr state dict does not match the net: missing {missing[:5]}, unexpected {unexpected[:5]}")
    return out


def _convert_linear_tensor(value, linear, owner_name, linear_name, param):
    if owner_name == linear_name and param == "bias_mv":
        return value.flatten()
    sub = owner_name.rsplit(".", 1)[-1]
    if sub == "s_to_mv":
        return _slot_major(value, linear.slots, 0)
    if sub == "mv_to_s" and param == "weight":
        return _slot_major(value, linear.slots, 1)
    return value


def _permute_qkv(value, net, linear_name, owner_name, param):
    block = net.get_submodule(linear_name.rsplit(".", 1)[0])
    heads = block.config.num_heads
    sub = owner_name.rsplit(".", 1)[-1]
    if owner_name == linear_name:  # multivector weight (Co, Ci, basis)
        return value[_qkv_permutation(heads, block.hidden_mv)]
    if sub == "s_to_mv":  # rows (slot, Co)
        perm = _qkv_permutation(heads, block.hidden_mv)
        return value.unflatten(0, (-1, len(perm)))[:, perm].flatten(0, 1)
    if sub in ("mv_to_s", "s_to_s"):  # rows are scalar outputs
        return value[_qkv_permutation(heads, block.hidden_s)]
    return value


def load_lgatr_state_dict(net: LGATr, state_dict: Mapping[str, torch.Tensor]) -> LGATr:
    """Load an ``lgatr.LGATr`` state dict into ``net`` (in place); returns ``net``."""
    net.load_state_dict(convert_lgatr_state_dict(state_dict, net))
    return net
