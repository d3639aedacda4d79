"""Format "jetclass_root": JetClass ROOT files (arXiv:2202.03772), read with uproot and awkward.

Tree ``tree`` with jagged per-constituent branches ``part_px, part_py, part_pz, part_energy`` (GeV)
and particle-ID branches, and one flag per class ``label_QCD, ..., label_Tbl``. Files are named
``<Class>_<NNN>.root``; pass one file or a glob such as ``train_100M/*.root``.

``jets`` (N, 4), each jet's (E, px, py, pz) in GeV, come from the jet branches ``jet_pt, jet_eta,
jet_phi, jet_energy``, which weaver-core's JetClass configs read (``part_logptrel`` and
``part_logerel`` divide by ``jet_pt`` and ``jet_energy``; the files' ``part_deta`` and
``part_dphi`` are taken against ``jet_eta`` and ``jet_phi``). They describe the anti-kT jet of
all its E-flow constituents, i.e. the sum of every ``part_*`` entry, also those beyond
``max_particles`` (the ParT repository's JetClass notebook: the ``jet_*`` branches "are
constructed from the particle-level features"); files without them get that sum.

``scalars`` (N, P, 6) are ``part_charge, part_isChargedHadron, part_isNeutralHadron,
part_isPhoton, part_isElectron, part_isMuon``; with ``impact_parameters=True`` (module function
and ``load_jets``, or ``data.impact_parameters=true`` in a run) four more follow:
tanh(``part_d0val``), ``part_d0err``, tanh(``part_dzval``), ``part_dzerr``, as in Particle
Transformer's full input.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lorentznets.data.convert import JetChunk, order_and_pad, summed_jets
from lorentznets.data.convert.optional import import_optional
from lorentznets.data.convert.weaver_pid import WEAVER_PID_FLAGS
from lorentznets.data.physics_checks import check_four_momenta

from .assembly import collect_chunks
from .jet_data import JetData
from .validation import NonFiniteTally, check_no_split, require_file, require_keys

if TYPE_CHECKING:
    import awkward as ak

FORMAT = "jetclass_root"
SUFFIXES = (".root",)
TREE = "tree"
LABELS = (
    "label_QCD",
    "label_Hbb",
    "label_Hcc",
    "label_Hgg",
    "label_H4q",
    "label_Hqql",
    "label_Zqq",
    "label_Wqq",
    "label_Tbqq",
    "label_Tbl",
)
MOMENTUM_BRANCHES = ("part_energy", "part_px", "part_py", "part_pz")
PID_BRANCHES = WEAVER_PID_FLAGS  # the flags weaver's models take, JetClass stores them
IMPACT_BRANCHES = ("part_d0val", "part_d0err", "part_dzval", "part_dzerr")
JET_BRANCHES = ("jet_pt", "jet_eta", "jet_phi", "jet_energy")
MOMENTUM_KEYS = "/".join(MOMENTUM_BRANCHES)
MAX_OPEN_TREES = 32
# (process id, path, modification time, size) -> (open file, its tree); see _open_tree.
_OPEN_TREES: OrderedDict[tuple[int, str, int, int], tuple[Any, Any]] = OrderedDict()


def detect(path: Path) -> bool:
    """Every ``.root`` file is taken for JetClass, the one ROOT layout we read; its tree and
    branches are checked on reading, with messages naming what is missing."""
    return True


def _awkward():
    return import_optional("awkward", "reading JetClass ROOT files")


def _open_root(path: Path):
    """Open a ROOT file with uproot, raising ``ValueError`` naming it when it is not ROOT or truncated."""
    uproot = import_optional("uproot", "reading JetClass ROOT files")
    try:
        return uproot.open(path)
    except (OSError, ValueError) as error:
        raise ValueError(
            f"{path}: cannot open as a ROOT file ({path.stat().st_size} bytes): {error}; it is truncated or not ROOT"
        ) from error


def _padded(arrays: ak.Array, branch: str, slots: np.ndarray, path: Path, offset: int) -> np.ndarray:
    """(n, length) float64 array from the jagged (n, var) ``branch`` of ``arrays``, zero-padded.

    ``slots`` (n, length) bool marks the real entries (from :func:`_slots`, counted on
    ``part_energy``); a numpy scatter of the flat content, much cheaper per chunk than awkward's
    padding. ``path`` and ``offset`` (file index of the first jet) are for the message.

    Raises
    ------
    ValueError
        The branch has another number of entries than ``part_energy`` in some jet.
    """
    ak = _awkward()
    jagged = arrays[branch]
    expected = slots.sum(axis=1)
    mismatch = ak.to_numpy(ak.num(jagged, axis=1)) != expected
    if mismatch.any():
        first = int(np.argmax(mismatch))
        raise ValueError(
            f"{path}: branch '{branch}' has {len(jagged[first])} entries in jet {offset + first} but branch "
            f"'{MOMENTUM_BRANCHES[0]}' has {expected[first]}; every part_* branch needs one entry per constituent "
            f"({int(mismatch.sum())} jet(s) disagree in jets {offset}..{offset + len(expected) - 1})"
        )
    out = np.zeros(slots.shape, dtype=np.float64)
    out[slots] = ak.to_numpy(ak.flatten(jagged, axis=1))
    return out


def _slots(counts: np.ndarray, length: int) -> np.ndarray:
    """(n, length) bool, True for the first ``counts[i]`` entries of row ``i`` (``length`` >= counts)."""
    return np.arange(length) < counts[:, None]


def _labels(arrays: ak.Array, path: Path, offset: int) -> np.ndarray:
    """Class index (n,) int64 from the ``label_*`` flags, each 0 or 1 with one 1 per jet."""
    ak = _awkward()
    flags = np.stack([ak.to_numpy(arrays[name]).astype(np.float64) for name in LABELS], axis=1)
    not_binary = (flags != 0) & (flags != 1)
    if not_binary.any():
        jet, column = np.argwhere(not_binary)[0]
        count = int(not_binary.any(axis=1).sum())
        raise ValueError(
            f"{path}: branch '{LABELS[column]}' is {flags[jet, column]} in jet {offset + jet}; label_* flags "
            f"must be 0 or 1 ({count} bad jet(s) in jets {offset}..{offset + len(flags) - 1})"
        )
    bad = flags.sum(axis=1) != 1
    if bad.any():
        first = int(np.argmax(bad))
        raise ValueError(
            f"{path}: branches label_* must flag exactly one class per jet; jet {offset + first} "
            f"has {dict(zip(LABELS, flags[first].tolist(), strict=True))}"
        )
    return np.argmax(flags, axis=1).astype(np.int64)


def _scalars(arrays: ak.Array, slots: np.ndarray, impact_parameters: bool, path: Path, offset: int) -> np.ndarray:
    columns = [_padded(arrays, name, slots, path, offset) for name in PID_BRANCHES]
    if impact_parameters:
        d0val, d0err, dzval, dzerr = (_padded(arrays, name, slots, path, offset) for name in IMPACT_BRANCHES)
        columns += [np.tanh(d0val), d0err, np.tanh(dzval), dzerr]
    return np.stack(columns, axis=-1).astype(np.float32)


def _jets(arrays: ak.Array, checked: np.ndarray, path: Path, offset: int) -> np.ndarray:
    """(n, 4) float64 (E, px, py, pz) GeV from the jet branches (see the module docstring); zero
    for the jets ``checked`` (n,) marks False: those without constituents or with NaN/inf ones,
    which the reader reports in their own words.

    Raises
    ------
    ValueError
        A jet branch of a checked jet is NaN or inf; the message names the jets.
    """
    ak = _awkward()
    pt, eta, phi, energy = (ak.to_numpy(arrays[name]).astype(np.float64) for name in JET_BRANCHES)
    with np.errstate(invalid="ignore", over="ignore"):
        jets = np.stack([energy, pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)], axis=-1)
    jets = np.where(checked[:, None], jets, 0.0)
    bad = ~np.isfinite(jets).all(axis=1)
    if bad.any():
        raise ValueError(
            f"{path}: branches {'/'.join(JET_BRANCHES)} give a NaN/inf jet momentum in {int(bad.sum())} jet(s); "
            f"first bad jet index {offset + int(np.argmax(bad))}"
        )
    return jets


def iter_jetclass_chunks(
    path: Path,
    max_particles: int,
    max_jets: int | None,
    impact_parameters: bool = False,
    chunk_size: int = 8192,
    first_jet: int = 0,
    require_labels: bool = True,
) -> Iterator[JetChunk]:
    """Stream jets ``first_jet .. max_jets - 1`` of one JetClass file as canonical jet chunks (see
    the module docstring). A file without any ``label_*`` branch is refused, or read with
    ``labels`` None when not ``require_labels``; one with some of them only is always refused."""
    ak = _awkward()
    tally = NonFiniteTally(path, MOMENTUM_KEYS)
    tree = _open_tree(path)
    # Some label branches but not all is a broken file, refused as one missing its labels.
    labelled = require_labels or not set(LABELS).isdisjoint(tree.keys())
    branches = list(MOMENTUM_BRANCHES + PID_BRANCHES + (LABELS if labelled else ()))
    if impact_parameters:
        branches += IMPACT_BRANCHES
    require_keys(f"{path}:{TREE}", tree.keys(), branches)
    jet_branches = set(JET_BRANCHES) <= set(tree.keys())
    if jet_branches:
        branches += JET_BRANCHES
    stop = tree.num_entries if max_jets is None else min(tree.num_entries, max_jets)
    offset = first_jet
    ranges = {"entry_start": first_jet, "entry_stop": stop}
    for arrays in tree.iterate(branches, step_size=chunk_size, library="ak", **ranges):
        counts = ak.to_numpy(ak.num(arrays["part_energy"], axis=1))
        mask = _slots(counts, max(int(counts.max(initial=0)), 1))
        momenta = np.stack([_padded(arrays, b, mask, path, offset) for b in MOMENTUM_BRANCHES], axis=-1)
        finite = tally.update(momenta, offset)
        momenta = np.where(finite[:, None, None], momenta, 0)
        check_four_momenta(momenta, mask & finite[:, None], str(path), MOMENTUM_KEYS, offset)
        scalars = _scalars(arrays, mask, impact_parameters, path, offset)
        if jet_branches:
            jets = _jets(arrays, finite & (counts > 0), path, offset)
        else:
            jets = summed_jets(momenta, mask)
        momenta, mask, (scalars,) = order_and_pad(momenta, mask, max_particles, (scalars,))
        labels = _labels(arrays, path, offset) if labelled else None
        yield JetChunk(offset, momenta, mask, labels, scalars, jets=jets)
        offset += len(counts)
    tally.check()


def _open_tree(path: Path) -> Any:
    """The file's tree, opened once per process and file version and kept among the
    :data:`MAX_OPEN_TREES` most recent: a stream reads ranges of the same files again and again,
    and parsing a tree's metadata costs as much as converting a few thousand jets."""
    stat = require_file(path).stat()
    key = (os.getpid(), str(path), stat.st_mtime_ns, stat.st_size)
    if key in _OPEN_TREES:
        _OPEN_TREES.move_to_end(key)
        return _OPEN_TREES[key][1]
    file = _open_root(path)
    try:
        require_keys(path, [name.split(";")[0] for name in file.keys()], [TREE])
        tree = file[TREE]
    except BaseException:
        file.close()
        raise
    _OPEN_TREES[key] = (file, tree)
    while len(_OPEN_TREES) > MAX_OPEN_TREES:
        _, (oldest, _) = _OPEN_TREES.popitem(last=False)
        oldest.close()
    return tree


def num_entries(path: Path) -> int:
    """Number of jets in the file's tree."""
    return int(_open_tree(path).num_entries)


def count(path: Path, split: str | None) -> int:
    """Number of jets in the file (one split per file: ``split`` must be None)."""
    check_no_split(FORMAT, split)
    return num_entries(path)


def read_range(
    path: Path,
    start: int,
    stop: int,
    max_particles: int,
    impact_parameters: bool = False,
    require_labels: bool = True,
) -> JetData:
    """Read jets ``start .. stop - 1`` (as :func:`read`; empty jets raise); ``labels`` None for a
    file without ``label_*`` branches when not ``require_labels`` (see :func:`iter_jetclass_chunks`)."""
    chunks = iter_jetclass_chunks(
        path, max_particles, stop, impact_parameters, first_jet=start, require_labels=require_labels
    )
    source = f"{path} ({FORMAT}, jets {start}-{stop})"
    return collect_chunks(chunks, stop - start, max_particles, source, first_jet=start)


def read(
    path: Path,
    split: str | None,
    max_particles: int,
    max_jets: int | None,
    drop_empty: bool = False,
    impact_parameters: bool = False,
) -> JetData:
    """Read jets; ``labels`` the class index in the order of ``LABELS``; PID ``scalars``."""
    check_no_split(FORMAT, split)
    total = num_entries(path)
    num_jets = total if max_jets is None else min(total, max_jets)
    chunks = iter_jetclass_chunks(path, max_particles, max_jets, impact_parameters)
    return collect_chunks(chunks, num_jets, max_particles, f"{path} ({FORMAT})", drop_empty)
