"""Host-side indices of the real particles and pairs of a padded batch."""

import torch

from lorentznets.layers.part import real_pairs, real_particles


def test_real_particles_are_the_flat_indices_of_the_mask():
    mask = torch.tensor([[True, True, False], [True, False, False], [True, True, True]])
    torch.testing.assert_close(real_particles(mask), torch.tensor([0, 1, 3, 6, 7, 8]))


def test_real_pairs_are_the_lower_triangle_of_real_particles():
    mask = torch.tensor([[True, True, False], [True, False, False]])
    expected = torch.tensor([[0, 0, 0, 1], [0, 1, 1, 0], [0, 0, 1, 0]])
    torch.testing.assert_close(real_pairs(mask), expected)
