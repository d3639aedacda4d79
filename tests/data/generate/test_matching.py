import numpy as np
import pytest

from lorentznets.data.generate.matching import unique_delta_r_matching


def test_globally_closest_pair_wins_and_jets_are_unique():
    distance = np.array([[[0.1, 0.3, 0.9], [0.05, 0.2, 0.9]]])
    np.testing.assert_array_equal(unique_delta_r_matching(distance, 0.4), [[1, 0]])


def test_no_match_beyond_radius_or_for_missing_jets():
    distance = np.array([[[0.5, np.inf], [0.3, np.nan]], [[0.1, 0.2], [0.15, 0.35]]])
    np.testing.assert_array_equal(unique_delta_r_matching(distance, 0.4), [[-1, 0], [0, 1]])


def test_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match="events, partons, jets"):
        unique_delta_r_matching(np.zeros((2, 3)), 0.4)
