"""Assignment heads: bad masks and jets are refused by name (shapes and dtypes only), and padded
jets may hold anything (NaN included) without changing the real events' outputs."""

import pytest
import torch

from lorentznets.assignment import DetectionHead, SymmetricTensorAttention

B, N, D = 2, 5, 8


def _inputs():
    jets = torch.randn(B, N, D, generator=torch.Generator().manual_seed(0))
    mask = torch.ones(B, N, dtype=torch.bool)
    mask[0, 4:] = False
    return jets, mask


def _heads():
    torch.manual_seed(0)
    return {
        "SymmetricTensorAttention": SymmetricTensorAttention(D, ((0, 1, 2), (1, 0, 2)), rank=4).eval(),
        "DetectionHead": DetectionHead(D).eval(),
    }


@pytest.mark.parametrize("name", ["SymmetricTensorAttention", "DetectionHead"])
def test_bad_inputs_are_named(name):
    head = _heads()[name]
    jets, mask = _inputs()
    with pytest.raises(ValueError, match=rf"{name}: mask must be a bool tensor .* got torch\.float32 \(2, 5\)"):
        head(jets, mask.float())
    with pytest.raises(ValueError, match=rf"{name}: mask must be a bool tensor .* got torch\.int64"):
        head(jets, mask.long())
    with pytest.raises(ValueError, match=rf"{name}: jets must have shape \(2, 4, 8\) for the mask, got \(2, 5, 8\)"):
        head(jets, mask[:, :4])
    with pytest.raises(ValueError, match=rf"{name}: jets must have shape \(2, 5, 8\) .* got \(2, 5, 7\)"):
        head(jets[..., :7], mask)
    with pytest.raises(TypeError, match=rf"{name}: jets are torch\.float64, but .* torch\.float32"):
        head(jets.double(), mask)


@pytest.mark.parametrize("name", ["SymmetricTensorAttention", "DetectionHead"])
def test_nan_padding_leaves_outputs_unchanged(name):
    head = _heads()[name]
    jets, mask = _inputs()
    nan_jets = jets.masked_fill(~mask[..., None], float("nan"))
    zero_jets = jets.masked_fill(~mask[..., None], 0.0)
    with torch.no_grad():
        nan_out, zero_out = head(nan_jets, mask), head(zero_jets, mask)
    if isinstance(nan_out, tuple):  # log-probabilities, -inf at invalid tuples
        nan_out, zero_out = nan_out[0], zero_out[0]
    assert not torch.isnan(nan_out).any()
    assert torch.equal(nan_out, zero_out)


def test_detection_head_without_jet_slots_equals_all_padded_events():
    torch.manual_seed(0)
    head = DetectionHead(4)
    jets = torch.randn(3, 2, 4)
    no_slots = head(jets[:, :0], torch.zeros(3, 0, dtype=torch.bool))
    all_padded = head(jets, torch.zeros(3, 2, dtype=torch.bool))
    torch.testing.assert_close(no_slots, all_padded)
