"""Helpers of the ONNX export tests: tiny nets and random jets that several experiments export."""

from __future__ import annotations

import torch

from lorentznets.lorentz import from_pt_eta_phi_m

TINY_NETS = {
    "gatr": {
        "num_blocks": 1,
        "hidden_mv_channels": 4,
        "hidden_s_channels": 8,
        "attention": {"num_heads": 2},
        "mlp": {},
    },
    "pelican": {
        "hidden_channels": 8,
        "message_channels": 6,
        "num_blocks": 1,
        "encoder_channels": 4,
        "scalar_channels": 2,
        "readout_channels": 6,
    },
}
"""``net`` arguments of tiny L-GATr and PELICAN nets, for the tagging and amplitude wrappers alike."""


def jets(batch: int, particles: int, seed: int, *, padding: int = 0, num_scalars: int = 0) -> tuple[torch.Tensor, ...]:
    """Jets of 5 to ``particles - padding`` massless constituents (pT 1-51 GeV, eta and phi within
    about 0.5 of the axis), the rest of the ``particles`` slots padding.

    At least 5 constituents: a constituent with a single partner gets three equal frame vectors
    from the LLoCa vector net, hence a degenerate frame that turns float32 rounding into O(1)
    differences, in torch as in onnxruntime.

    Parameters
    ----------
    batch, particles : int
        Number of jets and of slots per jet.
    seed : int
        Seed of the generator that draws everything.
    padding : int
        Slots that are padding in every jet.
    num_scalars : int
        Standard-normal scalars per constituent; none returned when 0.

    Returns
    -------
    momenta : torch.Tensor with shape (batch, particles, 4)
        Float32 four-momenta (E, px, py, pz) in GeV, zero on padding.
    mask : torch.Tensor with shape (batch, particles)
        True on constituents.
    scalars : torch.Tensor with shape (batch, particles, num_scalars)
        Only when ``num_scalars > 0``; zero on padding.
    """
    generator = torch.Generator().manual_seed(seed)
    pt_eta_phi_m = torch.stack(
        [
            50 * torch.rand(batch, particles, generator=generator) + 1,
            0.5 * torch.randn(batch, particles, generator=generator),
            0.5 * torch.randn(batch, particles, generator=generator),
            torch.zeros(batch, particles),
        ],
        dim=-1,
    )
    counts = torch.randint(5, particles + 1 - padding, (batch,), generator=generator)
    mask = torch.arange(particles) < counts[:, None]
    momenta = from_pt_eta_phi_m(pt_eta_phi_m.double()).float() * mask[..., None]
    if num_scalars == 0:
        return momenta, mask
    return momenta, mask, torch.randn(batch, particles, num_scalars, generator=generator) * mask[..., None]
