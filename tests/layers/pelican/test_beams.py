import torch

from lorentznets.layers.pelican import append_beams


def test_beams_are_prepended_and_labelled():
    p = torch.randn(2, 3, 4, dtype=torch.float64)
    mask = torch.tensor([[True, True, False], [True, False, False]])
    scalars = torch.randn(2, 3, 1, dtype=torch.float64)
    p_out, mask_out, labels = append_beams(p, mask, scalars)
    assert p_out.shape == (2, 5, 4) and mask_out.shape == (2, 5) and labels.shape == (2, 5, 3)
    torch.testing.assert_close(p_out[0, :2], torch.tensor([[1.0, 0, 0, 1], [1.0, 0, 0, -1]]).double())
    torch.testing.assert_close(p_out[:, 2:], p)
    assert mask_out[:, :2].all() and (mask_out[:, 2:] == mask).all()
    expected = torch.tensor([[0, 1], [0, 1], [1, 0], [1, 0], [0, 0]], dtype=torch.float64)
    torch.testing.assert_close(labels[0, :, :2], expected)
    assert labels[:, :2, 2].abs().max() == 0
    torch.testing.assert_close(labels[0, 2:4, 2], scalars[0, :2, 0])
