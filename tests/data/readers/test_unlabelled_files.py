"""Files without labels (real collision data, a simulation without truth): what each format lacks
then, read for predictions with ``require_labels=False``, refused everywhere else."""

from __future__ import annotations

from pathlib import Path

import awkward as ak
import h5py
import numpy as np
import pytest
import torch
import uproot

from lorentznets.data.readers import SequentialJetStream, file_ranges, load_jets
from lorentznets.data.readers.formats import READERS
from lorentznets.data.readers.jetclass_root import LABELS
from lorentznets.testing.synthetic_files import write_lgn_jets
from tests.data.readers.jet_files import (
    landscape_frame,
    random_jets,
    write_energyflow,
    write_energyflow_h5,
    write_jetclass,
)
from tests.data.readers.test_energyflow_npz_reader import quark_gluon_jets

NUM_JETS = 20

LABEL_KEYS = {
    "lgn_h5": "is_signal",
    "landscape_h5": "is_signal_new",
    "energyflow_npz": "y",
    "energyflow_h5": "y",
    "jetclass_root": "label_QCD",
}
"""The key each layout keeps its labels under (JetClass: the first of its ten ``label_*`` branches)."""


def jetclass_without(source: Path, target: Path, dropped: tuple[str, ...] = LABELS) -> Path:
    """A copy of a JetClass ROOT file without the branches ``dropped`` (by default its labels)."""
    with uproot.open(source) as file:
        arrays = file["tree"].arrays(library="ak")
    branches = {
        name: arrays[name] if arrays[name].ndim > 1 else ak.to_numpy(arrays[name])
        for name in arrays.fields
        if name not in dropped
    }
    with uproot.recreate(target) as file:
        file.mktree("tree", {n: v.type.content if isinstance(v, ak.Array) else v.dtype for n, v in branches.items()})
        file["tree"].extend(branches)
    return target


def write_labelled_and_unlabelled(folder: Path) -> dict[str, tuple[Path, Path]]:
    """A small file of every layout that can lack labels, with them and without them (else equal).

    Returns
    -------
    dict of str to (Path, Path)
        By the names of :data:`LABEL_KEYS`: the labelled file and its copy without labels.
    """
    momenta, counts = random_jets(NUM_JETS, 16, seed=11)
    labels = np.arange(NUM_JETS) % 2
    qg_particles, qg_labels = quark_gluon_jets(n_jets=NUM_JETS, n_slots=12, seed=3)
    files = {}
    lgn = write_lgn_jets(folder / "lgn.h5", num_jets=NUM_JETS, seed=4)
    files["lgn_h5"] = (lgn, folder / "lgn_unlabelled.h5")
    with h5py.File(lgn) as source, h5py.File(files["lgn_h5"][1], "w") as target:
        for key in source:
            if key != "is_signal":
                source.copy(key, target)
    frame = landscape_frame(momenta, labels, np.zeros((NUM_JETS, 4)))
    frame.to_hdf(folder / "landscape.h5", key="table")
    frame.drop(columns="is_signal_new").to_hdf(folder / "landscape_unlabelled.h5", key="table")
    files["landscape_h5"] = (folder / "landscape.h5", folder / "landscape_unlabelled.h5")
    write_energyflow(folder / "qg.npz", qg_particles, qg_labels)
    np.savez_compressed(folder / "qg_unlabelled.npz", X=qg_particles)
    files["energyflow_npz"] = (folder / "qg.npz", folder / "qg_unlabelled.npz")
    files["energyflow_h5"] = (
        write_energyflow_h5(folder / "qg.h5", qg_particles, qg_labels),
        write_energyflow_h5(folder / "qg_unlabelled.h5", qg_particles, labels=None),
    )
    root, _ = write_jetclass(folder / "jetclass.root", momenta, counts, np.arange(NUM_JETS) % 10)
    files["jetclass_root"] = (root, jetclass_without(root, folder / "jetclass_unlabelled.root"))
    return files


@pytest.fixture(scope="module")
def layouts(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    return write_labelled_and_unlabelled(tmp_path_factory.mktemp("unlabelled"))


def _read(path: Path, **options) -> object:
    """All jets of one file as a prediction reads them: by ranges, an ``.npz`` archive whole."""
    (part,) = file_ranges(path)
    reader = READERS[part.format]
    if path.suffix == ".npz":
        return reader.read(path, None, 10, None, **options)
    return reader.read_range(path, 0, len(part), 10, **options)


@pytest.mark.parametrize("layout", list(LABEL_KEYS))
def test_a_file_without_labels_is_read_for_predictions_as_the_same_jets_without_labels(layouts, layout):
    labelled, unlabelled = layouts[layout]
    with_labels = _read(labelled, require_labels=False)
    without = _read(unlabelled, require_labels=False)
    assert without.labels is None and with_labels.labels is not None and len(without) == NUM_JETS
    torch.testing.assert_close(with_labels.labels, _read(labelled).labels, rtol=0, atol=0)
    for field in ("momenta", "mask", "scalars", "truth", "jets"):
        expected, got = getattr(with_labels, field), getattr(without, field)
        assert (expected is None) == (got is None), field
        if expected is not None:
            torch.testing.assert_close(got, expected, rtol=0, atol=0)


@pytest.mark.parametrize("layout", list(LABEL_KEYS))
def test_training_reads_refuse_a_file_without_labels_naming_the_file_and_key(layouts, layout):
    unlabelled = layouts[layout][1]
    message = rf"{unlabelled.name}.*'{LABEL_KEYS[layout]}'"
    with pytest.raises(KeyError, match=message):
        _read(unlabelled)
    with pytest.raises(KeyError, match=message):
        load_jets(unlabelled, max_particles=10)
    if layout != "energyflow_npz":  # archives are not streamed
        with pytest.raises(KeyError, match=message):
            SequentialJetStream(file_ranges(unlabelled), 10, 8)


def test_a_jetclass_file_with_some_label_branches_is_refused_also_for_predictions(tmp_path):
    momenta, counts = random_jets(6, 8)
    path, _ = write_jetclass(tmp_path / "some.root", momenta, counts, np.zeros(6, dtype=int))
    partial = jetclass_without(path, tmp_path / "partial.root", ("label_Tbl",))
    with pytest.raises(KeyError, match=r"partial\.root:tree: missing key 'label_Tbl'"):
        _read(partial, require_labels=False)
