"""The paired multivector layout used inside L-GATr layers.

Every Lorentz-equivariant linear map of Cl(1,3) only mixes a component ``i`` with itself and with
its Hodge partner ``15 - i`` (the grade projections and the multiples by the pseudoscalar). We
therefore store multivector channels as eight component pairs

    PAIRS = ((0, 15), (1, 14), (2, 13), (3, 12), (4, 11), (5, 10), (6, 9), (7, 8))

in a tensor of shape ``(8, *batch, 2 * channels)`` whose last axis is ``(slot, channel)``: entry
``[p, ..., a * channels + c]`` is component ``PAIRS[p][a]`` of channel ``c``. An equivariant
linear layer is then a single batched matrix product ``(8, T, 2 C_in) @ (8, 2 C_in, 2 C_out)``
with no gather, scatter or concatenation, and the two invariant components (scalar and
pseudoscalar) sit together in pair 0, next to the auxiliary scalars.

Conversion from and to the usual ``(..., channels, 16)`` layout happens once at the entry and exit
of a network.
"""

from __future__ import annotations

import torch

from ...algebra import GRADES, inner_product_signs
from ...utils import device_constant

PAIRS: tuple[tuple[int, int], ...] = tuple((i, 15 - i) for i in range(8))
#: Component index of (pair, slot), shape (8, 2).
PAIR_COMPONENTS = torch.tensor(PAIRS)
#: Position of component i in the flattened (pair, slot) order, shape (16,).
COMPONENT_POSITION = torch.argsort(PAIR_COMPONENTS.flatten())
#: Grade of (pair, slot), shape (8, 2).
PAIR_GRADES = torch.tensor(GRADES)[PAIR_COMPONENTS]


_PAIR_INDEX = PAIR_COMPONENTS.flatten().tolist()
_COMPONENT_POSITION = COMPONENT_POSITION.tolist()
_PAIR_GRADES = PAIR_GRADES.tolist()
_PAIR_METRIC_SIGNS = inner_product_signs(dtype=torch.float64)[PAIR_COMPONENTS].tolist()


@device_constant
def pair_index(device: torch.device) -> torch.Tensor:
    """``PAIR_COMPONENTS.flatten()`` on ``device``, shape (16,)."""
    return torch.tensor(_PAIR_INDEX, device=device)


@device_constant
def component_position(device: torch.device) -> torch.Tensor:
    """``COMPONENT_POSITION`` on ``device``, shape (16,)."""
    return torch.tensor(_COMPONENT_POSITION, device=device)


@device_constant
def pair_grades(device: torch.device) -> torch.Tensor:
    """``PAIR_GRADES`` on ``device``, shape (8, 2)."""
    return torch.tensor(_PAIR_GRADES, device=device)


def to_paired(multivectors: torch.Tensor) -> torch.Tensor:
    """Convert multivectors to the paired layout.

    Parameters
    ----------
    multivectors : torch.Tensor with shape (..., C, 16)

    Returns
    -------
    torch.Tensor with shape (8, ..., 2 C)
    """
    if multivectors.shape[-1] != 16:
        raise ValueError(f"multivectors must have last dimension 16, got shape {tuple(multivectors.shape)}")
    index = pair_index(multivectors.device)
    x = multivectors.index_select(-1, index).unflatten(-1, (8, 2))  # (..., C, 8, 2)
    x = x.movedim(-2, 0).movedim(-1, -2)  # (8, ..., 2, C)
    return x.flatten(-2).contiguous()


def from_paired(paired: torch.Tensor) -> torch.Tensor:
    """Convert multivectors from the paired layout back to ``(..., C, 16)``.

    Parameters
    ----------
    paired : torch.Tensor with shape (8, ..., 2 C)

    Returns
    -------
    torch.Tensor with shape (..., C, 16)
    """
    if paired.shape[0] != 8 or paired.shape[-1] % 2:
        raise ValueError(f"paired multivectors must have shape (8, ..., 2C), got {tuple(paired.shape)}")
    x = paired.unflatten(-1, (2, -1)).movedim(-2, -1).movedim(0, -2)  # (..., C, 8, 2)
    index = component_position(paired.device)
    return x.flatten(-2).index_select(-1, index)


@device_constant
def paired_metric_signs(dtype: torch.dtype, device: torch.device | str | None = None) -> torch.Tensor:
    """Inner-product signs ``<reverse(e_A) e_A>_0`` in the paired order, shape (8, 2)."""
    return torch.tensor(_PAIR_METRIC_SIGNS, dtype=dtype, device=device)


def scalar_slots(subgroup: bool) -> int:
    """Number of pair-0 slots that mix with auxiliary scalars.

    Under the proper orthochronous group both the scalar and the pseudoscalar are invariant
    (2 slots); under the full group only the scalar is (1 slot).
    """
    return 2 if subgroup else 1
