"""Index tensors that a wrapper needs from the padding mask, built with the batch on the host.

Reading a mask's values (how many particles are real, which pairs exist) stalls a GPU and breaks
``torch.compile`` graphs when it happens inside ``forward``. A wrapper that needs such indices
offers ``host_inputs(mask) -> dict[str, torch.Tensor]``; the experiment's collate calls it on the
CPU batch (in the DataLoader workers) and passes the result to ``forward`` as keyword arguments.
"""

from __future__ import annotations

from typing import Any

import torch

from lorentznets.layers.attention import real_particles


def host_inputs(model: Any, mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """``model.host_inputs(mask)``, or no inputs for a model without the hook.

    Parameters
    ----------
    model : torch.nn.Module or None
        The unwrapped model (not its DDP or compiled wrapper); None before it is built.
    mask : torch.Tensor with shape (B, N), bool

    Returns
    -------
    dict of str to torch.Tensor
    """
    hook = getattr(model, "host_inputs", None)
    return {} if hook is None else hook(mask)


def packing(mask: torch.Tensor) -> dict[str, torch.Tensor]:
    """Pack the real particles of a padded batch, event after event.

    Parameters
    ----------
    mask : torch.Tensor with shape (B, N), bool
        Real particles; every event has at least one (checked at the data boundary).

    Returns
    -------
    dict with
        ``pack_index`` : torch.Tensor with shape (T,), int64
            Flat index ``b * N + i`` of each real particle, in event order.
        ``offsets`` : torch.Tensor with shape (B + 1,), int64
            Event b owns packed items ``offsets[b]:offsets[b + 1]``.
    """
    lengths = mask.sum(dim=1)
    offsets = torch.cat([lengths.new_zeros(1), lengths.cumsum(0)])
    return {"pack_index": real_particles(mask), "offsets": offsets}
