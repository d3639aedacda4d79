import h5py
import numpy as np
import yaml

from lorentznets.data.generate.cli import main
from lorentznets.data.generate.eventgen_export import TARGET_ORDER

SOURCE_KEYS = ("MASK", "pt", "eta", "phi", "mass", "btag")


def _load(path):
    with h5py.File(path) as f:
        source = {key: f[f"INPUTS/Source/{key}"][:] for key in SOURCE_KEYS}
        targets = np.stack([f[f"TARGETS/{t}"][:] for t in TARGET_ORDER], axis=1)
        truth_top = f["TRUTH/t1/t"][:].astype(np.float64)
    return source, targets, truth_top


def test_spanet_layout_and_mask(ttbar_file):
    source, targets, _ = _load(ttbar_file)
    mask = source["MASK"]
    assert mask.dtype == bool and mask.shape == (300, 16)
    assert targets.dtype == np.int64
    n_jets = mask.sum(axis=1)
    assert n_jets.min() >= 6
    np.testing.assert_array_equal(mask, np.arange(16)[None] < n_jets[:, None])
    for key in SOURCE_KEYS[1:]:
        assert np.all(source[key][~mask] == 0)
    pt = np.where(mask, source["pt"], -1.0)
    assert np.all(np.diff(pt, axis=1)[mask[:, 1:]] <= 0)
    assert np.all(source["pt"][mask] > 25) and np.all(np.abs(source["eta"][mask]) < 2.5)


def test_matching_indices_unique_and_in_range(ttbar_file):
    source, targets, _ = _load(ttbar_file)
    n_jets = source["MASK"].sum(axis=1)
    assert np.all((targets >= -1) & (targets < n_jets[:, None]))
    for row in targets:
        matched = row[row >= 0]
        assert len(set(matched)) == len(matched)
    fully = np.all(targets >= 0, axis=1).mean()
    assert 0.12 < fully < 0.45
    assert 0.6 < (targets >= 0).mean() < 0.97


def test_btag_efficiency_on_matched_b_jets(ttbar_file):
    source, targets, _ = _load(ttbar_file)
    events = np.concatenate([np.arange(len(targets))] * 2)
    b_jets = np.concatenate([targets[:, 0], targets[:, 3]])
    tagged = source["btag"][events[b_jets >= 0], b_jets[b_jets >= 0]]
    assert 0.55 < tagged.mean() < 0.85
    assert source["btag"][source["MASK"]].mean() < 0.45


def test_truth_top_mass(ttbar_file):
    _, _, top = _load(ttbar_file)
    mass = np.sqrt(top[:, 0] ** 2 - (top[:, 1:] ** 2).sum(axis=1))
    np.testing.assert_allclose(np.median(mass), 172.5, atol=3)


def test_event_file_and_eventgen_files(ttbar_file):
    event = yaml.safe_load(ttbar_file.with_suffix(".yaml").read_text())
    assert event["EVENT"] == {"t1": ["q1", "q2", "b"], "t2": ["q1", "q2", "b"]}
    assert event["PERMUTATIONS"]["EVENT"] == [["t1", "t2"]]
    source, targets, _ = _load(ttbar_file)
    fully = np.all(targets >= 0, axis=1)
    n_extra = source["MASK"].sum(axis=1) - 6
    directory = ttbar_file.with_name("ttbar_eventgen")
    total = 0
    for n in np.unique(n_extra[fully]):
        rows = np.load(directory / f"ttbar_{n}j.npy")
        assert rows.shape == ((fully & (n_extra == n)).sum(), 4 * (6 + n))
        jets = rows.reshape(len(rows), 6 + n, 4)
        assert np.all(jets[..., 0] > 0)
        total += len(rows)
    assert total == fully.sum()


def test_resume_reproduces_fresh_file(ttbar_file, tmp_path):
    path = tmp_path / "resumed.h5"
    args = ["ttbar", "--chunk-size", "150", "--seed", "5", "--out", str(path)]
    main([*args, "--n", "150"])
    main([*args, "--n", "300", "--resume"])
    with h5py.File(path) as resumed, h5py.File(ttbar_file) as fresh:
        for key in ("INPUTS/Source/pt", "INPUTS/Source/btag", "TARGETS/t2/q1", "TRUTH/t1/t"):
            np.testing.assert_array_equal(resumed[key][:], fresh[key][:])
