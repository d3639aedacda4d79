import math

import pytest
import torch

from lorentznets.layers.lorentznet import quark_gluon_scalars, top_tagging_inputs


def test_top_inputs_follow_the_published_convention():
    p = torch.tensor(
        [[[0, 0, 0, 0], [5.0, 0, 0, 3.0], [0, 0, 0, 0]], [[13.0, 0, 5.0, 0], [2.0, 2.0, 0, 0], [0, 0, 0, 0]]],
        dtype=torch.float64,
    )
    mask = torch.tensor([[False, True, False], [True, True, False]])
    scalars, p_out, mask_out = top_tagging_inputs(p, mask)
    # trimmed to the longest jet (2), beams first, real constituents left-aligned
    assert p_out.shape == (2, 4, 4) and scalars.shape == (2, 4, 2)
    r2 = math.sqrt(2)
    torch.testing.assert_close(p_out[:, 0], torch.tensor([r2, 0, 0, 1]).double().expand(2, 4))
    torch.testing.assert_close(p_out[:, 1], torch.tensor([r2, 0, 0, -1]).double().expand(2, 4))
    torch.testing.assert_close(p_out[0, 2], p[0, 1])
    assert mask_out.tolist() == [[True, True, True, False], [True, True, True, True]]
    log2 = math.log(2)
    torch.testing.assert_close(scalars[0, :2], torch.tensor([[0, log2], [0, log2]]).double())
    torch.testing.assert_close(scalars[0, 2], torch.tensor([math.log(5.0), 0]).double())  # m = 4
    torch.testing.assert_close(scalars[1, 2], torch.tensor([math.log(13.0), 0]).double())  # m = 12
    assert scalars[1, 3].abs().max() == 0 and scalars[0, 3].abs().max() == 0


def test_massless_constituents_get_masses_from_float64_before_the_cast():
    g = torch.Generator().manual_seed(0)
    p3 = 100 * torch.randn(4, 30, 3, generator=g, dtype=torch.float64)
    p = torch.cat((p3.norm(dim=-1, keepdim=True), p3), dim=-1)  # massless to float64 precision
    mask = torch.ones(4, 30, dtype=torch.bool)
    scalars, p_out, _ = top_tagging_inputs(p, mask, dtype=torch.float32)
    assert scalars.dtype == p_out.dtype == torch.float32
    assert scalars[:, 2:].abs().max() < 1e-5  # psi(m) with m ~ sqrt(eps_64) E
    torch.testing.assert_close(p_out[:, 2:], p.float())
    # the documented float32 behaviour: from float32 momenta the masses are rounding noise
    noisy, _, _ = top_tagging_inputs(p.float(), mask)
    assert noisy[:, 2:].abs().max() > 1e-3


def test_quark_gluon_scalars():
    pid = torch.tensor([[22, -211, 2212, 0]])
    mask = pid != 0
    s = quark_gluon_scalars(pid, mask)
    assert s.shape == (1, 4, 8)
    assert s[0, :, :].argmax(-1)[:3].tolist() == [2, 4, 7] and s[0, 3].sum() == 0
    with pytest.raises(ValueError, match=r"unknown \|PID\| \[99\]"):
        quark_gluon_scalars(torch.tensor([[99]]), torch.tensor([[True]]))


def test_top_inputs_reject_bad_shapes():
    with pytest.raises(ValueError, match="expected p"):
        top_tagging_inputs(torch.zeros(2, 3, 3), torch.ones(2, 3, dtype=torch.bool))
