"""Input pipeline speed: jets per second from each on-disk format to device-ready batches.

For every tagging format (landscape pandas HDF5, the L-GATr npz, JetClass ROOT, and the converted
/ generated HDF5 layout ``lgn_h5`` our generator writes) it writes ``--jets`` random jets of 1 to
``--particles`` constituents into a temporary folder, then times

- read: :func:`lorentznets.data.readers.load_jets` (file to padded tensors);
- loader: one epoch of the tagging :class:`~experiments.tagging.dataset.JetDataset` through a
  ``DataLoader`` (``--workers`` worker processes, shuffled batches of ``--batch``, pinned memory
  on CUDA) and a non-blocking copy of every tensor to the device, synchronised at the end;

and prints jets/s of each and of both together. Formats whose writer needs a package that is not
installed (pandas + tables for landscape, uproot + awkward for ROOT) are skipped with a message.
Compare the loader figure with the training throughput of the taggers
(``benchmarks/bench_train_throughput.py``): the pipeline keeps up when it is larger.

Usage: ``python benchmarks/bench_input.py [--jets 4096] [--batch 128] [--workers 2] [--json out.json]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np
import torch
from torch.utils.data import DataLoader

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "data" / "readers")]  # run from a checkout, uninstalled

from experiments.tagging.dataset import JetDataset, collate_batch  # noqa: E402
from lorentznets.data.readers import load_jets  # noqa: E402


def random_jets(jets: int, particles: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Massless constituents (GeV), real ones first; counts in [1, particles]; labels 0/1."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(1, particles + 1, size=jets)
    p3 = rng.normal(size=(jets, particles, 3)) * 50.0
    p3[..., 2] += 200.0
    momenta = np.concatenate([np.linalg.norm(p3, axis=-1, keepdims=True), p3], axis=-1)
    momenta[np.arange(particles) >= counts[:, None]] = 0.0
    return momenta.astype(np.float32), counts, (np.arange(jets) % 2)


def write_lgn_h5(folder: Path, momenta, counts, labels) -> Path:
    """The converted layout our generator writes (with per-jet weights)."""
    path = folder / "generated.h5"
    mask = np.arange(momenta.shape[1]) < counts[:, None]
    with h5py.File(path, "w") as file:
        file["Nobj"], file["Pmu"], file["is_signal"] = counts, momenta, labels
        file["label"], file["weight"] = mask.astype(np.int64), np.ones(len(labels))
    return path


def write_lgatr_npz(folder: Path, momenta, counts, labels) -> Path:
    """The L-GATr npz with one "train" split."""
    path = folder / "toptagging.npz"
    np.savez(path, kinematics_train=momenta, labels_train=labels)
    return path


def write_landscape(folder: Path, momenta, counts, labels) -> Path:
    """The landscape pandas HDF5 (needs pandas and tables), through the readers' test writer."""
    from jet_files import write_landscape as write

    return write(folder / "landscape.h5", momenta, labels, np.zeros((len(labels), 4), dtype=np.float32))


def write_jetclass(folder: Path, momenta, counts, labels) -> Path:
    """A JetClass ROOT file (needs uproot and awkward), through the readers' test writer."""
    from jet_files import write_jetclass as write

    return write(folder / "HToBB_000.root", momenta, counts, labels)[0]


FORMATS: dict[str, tuple[Callable, str, str | None]] = {
    "landscape_h5": (write_landscape, "landscape_h5", None),
    "lgatr_npz": (write_lgatr_npz, "lgatr_npz", "train"),
    "jetclass_root": (write_jetclass, "jetclass_root", None),
    "generated_h5": (write_lgn_h5, "lgn_h5", None),
}


def time_format(name: str, folder: Path, args: argparse.Namespace, device: str) -> dict | None:
    """Read and loader jets/s of one format, or None when its writer's packages are missing."""
    write, fmt, split = FORMATS[name]
    momenta, counts, labels = random_jets(args.jets, args.particles)
    try:
        path = write(folder, momenta, counts, labels)
    except ImportError as error:
        print(f"{name:14s} skipped: {error}")
        return None
    start = time.perf_counter()
    jets = load_jets(path, format=fmt, split=split, max_particles=args.particles)
    read = time.perf_counter() - start
    dataset = JetDataset(jets)
    loader = DataLoader(
        dataset,
        batch_size=args.batch,
        shuffle=True,
        num_workers=args.workers,
        collate_fn=collate_batch,
        pin_memory=device == "cuda",
    )
    start = time.perf_counter()
    for batch in loader:
        batch = {key: value.to(device, non_blocking=True) for key, value in batch.items()}
    if device == "cuda":
        torch.cuda.synchronize()
    load = time.perf_counter() - start
    n = len(dataset)
    return {
        "format": name,
        "jets": n,
        "read_jets_per_second": n / read,
        "loader_jets_per_second": n / load,
        "total_jets_per_second": n / (read + load),
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jets", type=int, default=4096)
    parser.add_argument("--particles", type=int, default=100, help="most constituents per jet")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, {args.workers} workers, "
        f"{args.jets} jets of 1-{args.particles} constituents, batch {args.batch}; shared machine: figures are noisy"
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.formats:
            result = time_format(name, Path(tmp), args, device)
            if result is None:
                continue
            results.append(result)
            print(
                f"{name:14s} read {result['read_jets_per_second']:10.0f} jets/s  loader to {device} "
                f"{result['loader_jets_per_second']:10.0f} jets/s  together {result['total_jets_per_second']:10.0f} "
                f"jets/s  (load {result['load']:.1f})"
            )
    if args.json:
        args.json.write_text(json.dumps({"device": device, "workers": args.workers, "results": results}, indent=2))


if __name__ == "__main__":
    main()
