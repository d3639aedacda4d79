"""Whether a forward pass may size its tensors by the input values (eager CPU shortcuts)."""

from __future__ import annotations

import torch


def value_sized_allowed(x: torch.Tensor) -> bool:
    """Whether a net may drop or pack padded slots by reading the mask on ``x``'s device.

    Only in eager CPU runs: a size read from tensor values would stall a GPU, break a compiled
    graph, fix the kept slots of an ONNX export, and is refused by ``torch.func`` transforms
    (``vmap`` cannot batch it). Elsewhere the nets compute the padded slots and mask them, which
    gives the same values.

    Parameters
    ----------
    x : torch.Tensor
        An input of the forward pass (its device decides).

    Returns
    -------
    bool
    """
    if x.device.type != "cpu" or torch.compiler.is_compiling() or torch.onnx.is_in_onnx_export():
        return False
    return not in_functorch_transform()


def in_functorch_transform() -> bool:
    """Whether a ``torch.func`` transform (``vmap``, ``grad``, ``jacrev``, ...) is active.

    The custom autograd Functions of the library then take their pure-torch paths (no ``out=``
    writes, which ``vmap`` cannot batch, and no missing forward-mode rule). False while
    torch.compile traces, which handles transforms itself.

    Returns
    -------
    bool
    """
    # torch has no public query; this private one is what torch.func itself uses
    # (tests/nets/test_vmap.py fails should a torch upgrade remove or change it)
    return not torch.compiler.is_compiling() and torch._C._functorch.peek_interpreter_stack() is not None
