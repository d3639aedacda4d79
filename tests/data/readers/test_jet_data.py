import numpy as np
import pytest
import torch

from lorentznets.data.readers import JetData


def make(n: int = 5, p: int = 3, scalars: bool = True, source: str = "a", jets: bool = True) -> JetData:
    g = torch.Generator().manual_seed(0)
    return JetData(
        momenta=torch.randn(n, p, 4, generator=g),
        mask=torch.ones(n, p, dtype=torch.bool),
        labels=torch.arange(n),
        scalars=torch.randn(n, p, 2, generator=g) if scalars else None,
        truth=torch.randn(n, 4, generator=g),
        jets=torch.randn(n, 4, generator=g) if jets else None,
        source=source,
    )


def test_len_and_properties():
    data = make()
    assert len(data) == 5
    assert data.num_particles == 3
    assert data.num_scalars == 2
    assert make(scalars=False).num_scalars == 0


@pytest.mark.parametrize(
    "index, expected",
    [
        (slice(1, 3), [1, 2]),
        (2, [2]),
        (-1, [4]),
        ([4, 0], [4, 0]),
        (np.array([3, 1]), [3, 1]),
        (torch.tensor([0, 2]), [0, 2]),
        (np.array([True, False, False, True, False]), [0, 3]),
    ],
)
def test_subset_selects_every_field(index, expected):
    data = make()
    part = data.subset(index)
    assert part.labels.tolist() == expected
    torch.testing.assert_close(part.momenta, data.momenta[expected])
    torch.testing.assert_close(part.scalars, data.scalars[expected])
    torch.testing.assert_close(part.truth, data.truth[expected])
    torch.testing.assert_close(part.jets, data.jets[expected])
    assert part.mask.shape == (len(expected), 3)
    assert part.source == data.source


def test_subset_rejects_bool_index_of_wrong_length():
    with pytest.raises(ValueError, match=r"bool index has shape \(2,\), expected \(5,\)"):
        make().subset(np.array([True, False]))


def test_inconsistent_shapes_are_rejected():
    data = make()
    with pytest.raises(ValueError, match=r"from file.h5: 'labels' has shape \(4,\)"):
        JetData(data.momenta, data.mask, data.labels[:4], source="file.h5")
    with pytest.raises(ValueError, match="'momenta' has shape .* dtype torch.float64"):
        JetData(data.momenta.double(), data.mask, data.labels)
    with pytest.raises(ValueError, match="'scalars'"):
        JetData(data.momenta, data.mask, data.labels, scalars=torch.zeros(5, 2, 2))
    with pytest.raises(ValueError, match=r"'jets' has shape \(5, 3\) .* expected \(5, 4\)"):
        JetData(data.momenta, data.mask, data.labels, jets=torch.zeros(5, 3))


def test_concatenate():
    a, b = make(source="a"), make(n=2, source="b")
    both = JetData.concatenate([a, b])
    assert len(both) == 7
    assert both.source == "a + b"
    torch.testing.assert_close(both.momenta[5:], b.momenta)
    torch.testing.assert_close(both.jets[5:], b.jets)
    with pytest.raises(ValueError, match=r"'jets' missing in \['d'\]"):
        JetData.concatenate([a, make(jets=False, source="d")])
    with pytest.raises(ValueError, match=r"'scalars' missing in \['c'\]"):
        JetData.concatenate([a, make(scalars=False, source="c")])
    with pytest.raises(ValueError, match=r"lengths \[3, 4\]"):
        JetData.concatenate([a, make(p=4)])
