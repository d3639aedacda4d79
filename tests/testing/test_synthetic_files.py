"""The synthetic jet file's optional top-momentum target."""

import h5py
import numpy as np

from lorentznets.testing.synthetic_files import write_lgn_jets


def test_top_truth_is_signal_constituent_sum_and_leaves_the_jets_alone(tmp_path):
    plain = write_lgn_jets(tmp_path / "plain.h5", num_jets=20, max_particles=30)
    tops = write_lgn_jets(tmp_path / "tops.h5", num_jets=20, max_particles=30, top_truth=True)
    with h5py.File(plain) as a, h5py.File(tops) as b:
        np.testing.assert_array_equal(a["Pmu"][()], b["Pmu"][()])
        assert not a["truth_Pmu"][()].any()
        signal = b["is_signal"][()] == 1
        np.testing.assert_allclose(b["truth_Pmu"][()][signal], b["Pmu"][()][signal].sum(axis=1), rtol=1e-6)
        assert not b["truth_Pmu"][()][~signal].any()
        assert (b["truth_Pmu"][()][signal, 0] > 0).all()
