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

``--stream`` instead writes a JetClass-layout folder (``--classes`` ROOT files, one class each,
``--jets`` in all) and compares, interleaved over ``--repeats`` (minimum time of each), one epoch
of the streaming reader (:class:`lorentznets.data.readers.stream.JetStream` through a
``DataLoader`` with ``--workers`` workers, to the device) with reading the folder into memory and
one epoch of the in-memory loader; then the peak memory of each (``tracemalloc``: every Python and
numpy allocation of the main process, with the DataLoader in the main process) next to the
stream's stated bound.

Usage: ``python benchmarks/bench_input.py [--jets 4096] [--batch 128] [--workers 2] [--json out.json]``
and ``python benchmarks/bench_input.py --stream --jets 40000 --particles 64 [--block 1024 --window 16384]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tracemalloc
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
from lorentznets.data.readers.file_ranges import file_ranges  # noqa: E402
from lorentznets.data.readers.stream import JetStream, bytes_per_jet  # noqa: E402


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


def write_class_folder(folder: Path, args: argparse.Namespace) -> str:
    """``--classes`` JetClass ROOT files of one class each (baskets of 1024 jets); their glob."""
    from jet_files import write_jetclass as write

    per_file = args.jets // args.classes
    for label in range(args.classes):
        momenta, counts, _ = random_jets(per_file, args.particles, seed=label)
        write(folder / f"C{label}_000.root", momenta, counts, np.full(per_file, label), basket_entries=1024)
    return str(folder / "*.root")


def _to_device(batch: dict, device: str) -> None:
    for value in batch.values():
        value.to(device, non_blocking=True)


def stream_epoch(pattern: str, args: argparse.Namespace, device: str, workers: int) -> int:
    """One epoch of the streaming reader to the device; the number of jets."""
    jets = JetStream(
        file_ranges(pattern),
        args.particles,
        args.batch,
        seed=0,
        block_jets=args.block,
        window_jets=args.window,
        interleave=2,
        num_workers=workers,
    )
    batches = jets.windows_per_epoch * jets.batches_per_window
    loader = DataLoader(jets, batch_size=None, num_workers=workers, pin_memory=device == "cuda")
    for batch, _ in zip(loader, range(batches)):
        _to_device({"momenta": batch.momenta, "mask": batch.mask, "scalars": batch.scalars}, device)
    return batches * args.batch


def memory_epoch(pattern: str, args: argparse.Namespace, device: str, workers: int) -> int:
    """Reading the folder into memory and one epoch of the in-memory loader; the number of jets."""
    dataset = JetDataset(load_jets(pattern, max_particles=args.particles), use_scalars=True)
    loader = DataLoader(
        dataset,
        batch_size=args.batch,
        shuffle=True,
        num_workers=workers,
        collate_fn=collate_batch,
        pin_memory=device == "cuda",
    )
    for batch in loader:
        _to_device(batch, device)
    return len(dataset)


def stream_benchmark(args: argparse.Namespace, device: str) -> list[dict]:
    """Jets/s (interleaved repeats, minimum time) and peak memory of streaming vs in memory."""
    variants = {"stream": stream_epoch, "in_memory": memory_epoch}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        pattern = write_class_folder(Path(tmp), args)
        times = {name: [] for name in variants}
        jets = {}
        for _ in range(args.repeats):
            for name, epoch in variants.items():
                start = time.perf_counter()
                jets[name] = epoch(pattern, args, device, args.workers)
                if device == "cuda":
                    torch.cuda.synchronize()
                times[name].append(time.perf_counter() - start)
        for name, epoch in variants.items():
            tracemalloc.start()
            try:
                epoch(pattern, args, device, 0)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            result = {
                "variant": name,
                "jets": jets[name],
                "jets_per_second": jets[name] / min(times[name]),
                "peak_mb": peak / 1e6,
                "threads": torch.get_num_threads(),
                "load": os.getloadavg()[0],
            }
            results.append(result)
            print(
                f"{name:10s} {result['jets_per_second']:9.0f} jets/s (min of {args.repeats}, {args.workers} workers)  "
                f"peak {result['peak_mb']:8.1f} MB (main process, no workers)  threads {result['threads']}  "
                f"load {result['load']:.1f}"
            )
        stream = JetStream(
            file_ranges(pattern),
            args.particles,
            args.batch,
            0,
            block_jets=args.block,
            window_jets=args.window,
            interleave=2,
            num_workers=0,
        )
        in_memory = jets["in_memory"] * bytes_per_jet(args.particles, stream.sample.num_scalars, weighted=False)
        print(
            f"stream's stated bound without workers: {stream.memory_bound_bytes / 1e6:.1f} MB; in memory the folder "
            f"takes {in_memory / 1e6:.1f} MB"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jets", type=int, default=4096)
    parser.add_argument("--particles", type=int, default=100, help="most constituents per jet")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=list(FORMATS))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--stream", action="store_true", help="streaming reader vs in memory (see above)")
    parser.add_argument("--classes", type=int, default=5, help="--stream: files of one class each")
    parser.add_argument("--block", type=int, default=1024, help="--stream: jets per block read")
    parser.add_argument("--window", type=int, default=16384, help="--stream: jets per shuffle window")
    parser.add_argument("--repeats", type=int, default=3, help="--stream: interleaved repeats")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(
        f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, {args.workers} workers, "
        f"{args.jets} jets of 1-{args.particles} constituents, batch {args.batch}; shared machine: figures are noisy"
    )
    if args.stream:
        results = stream_benchmark(args, device)
        if args.json:
            args.json.write_text(json.dumps({"device": device, "workers": args.workers, "stream": results}, indent=2))
        return
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
