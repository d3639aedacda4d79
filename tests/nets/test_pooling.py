import torch

from lorentznets.nets.pooling import masked_mean


def test_mean_over_real_particles_only():
    values = torch.tensor([[[1.0], [3.0], [100.0]], [[5.0], [7.0], [9.0]], [[4.0], [4.0], [4.0]]])
    mask = torch.tensor([[True, True, False], [True, True, True], [False, False, False]])
    torch.testing.assert_close(masked_mean(values, mask), torch.tensor([[2.0], [7.0], [0.0]]))
