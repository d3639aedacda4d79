"""PELICAN's float64 outputs at fixed weights and inputs, to 1e-10.

The equivariance tests cannot see a precision loss inside the net: an invariant rounded to
float32 or bf16 stays invariant. These values (computed with the code of 2026-12-07) pin the
float64 function; rounding any block's output to float32 moves them by far more. Weights and
inputs come from formulas, not from torch's random generator, so the values do not depend on
how a torch version draws initial weights.
"""

import torch

from lorentznets.nets.pelican import PELICAN, PELICANRegressor

SMALL = dict(
    hidden_channels=6, message_channels=5, num_blocks=2, encoder_channels=3, readout_channels=4, momentum_scale=10.0
)


def _fixed_weights(net: torch.nn.Module) -> torch.nn.Module:
    net = net.double()
    with torch.no_grad():
        for k, (_, param) in enumerate(sorted(net.named_parameters())):
            values = 0.5 * torch.sin(1.0 + 0.37 * torch.arange(param.numel(), dtype=param.dtype) + k)
            param.copy_(values.reshape(param.shape))
    return net.double().eval()


def _fixed_jets() -> tuple[torch.Tensor, torch.Tensor]:
    """Two jets of 5 and 3 constituents of mass 0.5 GeV (GeV), the second padded to 5."""
    index = torch.arange(10, dtype=torch.float64).reshape(2, 5, 1)
    p3 = 20.0 * torch.cat((torch.sin(index), torch.cos(1.3 * index), torch.sin(0.7 * index + 0.2)), dim=-1)
    p = torch.cat((torch.sqrt(p3.square().sum(-1, keepdim=True) + 0.25), p3), dim=-1)
    mask = torch.ones(2, 5, dtype=torch.bool)
    mask[1, 3:] = False
    return p * mask[..., None], mask


def test_classifier_reference_values():
    p, mask = _fixed_jets()
    out = _fixed_weights(PELICAN(**SMALL, out_channels=2))(p, mask)
    expected = [[0.6125068328845658, -0.3501131697780215], [0.7358576580147617, -0.6536622813425796]]
    torch.testing.assert_close(out, torch.tensor(expected, dtype=torch.float64), rtol=1e-10, atol=0)


def test_regressor_reference_values():
    p, mask = _fixed_jets()
    out = _fixed_weights(PELICANRegressor(**SMALL))(p, mask)
    expected = [
        [187.86873642911212, 37.06787085338101, 5.004226789409881, 93.67247379040815],
        [124.29913356531814, -18.338136950615795, 2.612307704721033, -75.93503592232564],
    ]
    torch.testing.assert_close(out, torch.tensor(expected, dtype=torch.float64), rtol=1e-10, atol=0)
