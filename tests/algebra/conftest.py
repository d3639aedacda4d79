import numpy as np
import pytest


@pytest.fixture(scope="module")
def layout():
    """clifford's Cl(1,3) with e1^2 = +1: its blades e1, e2, e3, e4 are our e0, e1, e2, e3.

    Only the tests that compare with clifford skip without it (a module-level skip here hid
    every algebra test, most of which never use clifford)."""
    clifford = pytest.importorskip("clifford")
    layout, _ = clifford.Cl(1, 3)
    assert [len(b) for b in layout.bladeTupList] == [0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4]
    return layout


@pytest.fixture
def rng():
    return np.random.default_rng(0)
