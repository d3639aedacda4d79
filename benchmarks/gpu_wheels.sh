#!/usr/bin/env bash
# Download the wheels benchmarks/gpu_check.sh installs on a GPU machine without network.
#
# Usage: bash benchmarks/gpu_wheels.sh [DIR]        (default: benchmarks/gpu_wheels)
#
# Run it on a machine with a package index. The target has a CUDA PyTorch (2.11 or newer) on
# CPython 3.12 (x86-64 Linux) and nothing else, so this fetches cp312 manylinux wheels of what the
# GPU check imports besides torch: numpy and h5py (compiled), pytest, Hydra/OmegaConf with
# antlr4 (sdist only on PyPI: built into a pure-Python wheel here) and PyYAML, tqdm, and the
# official implementations the benchmarks compare against (lgatr, pelican-lite; both depend on
# torch alone, so they are fetched without dependencies).
#
# Size, measured 2026-11-29: 24.1 MiB in 14 wheels (numpy 16 MiB, h5py 5.2 MiB, pygments 1.2 MiB,
# PyYAML 0.8 MiB, the rest under 0.5 MiB each); the budget is 60 MiB. Not included, because they do not fit:
# MLflow (with pandas and pyarrow, over 60 MiB alone), scikit-learn + SciPy (48 MiB), matplotlib,
# uproot/awkward, numba. Without them the GPU check runs the nets, benchmarks and throughput
# measurements; the run.py tests of tests/gpu skip with a message naming the missing packages
# (install the experiment dependencies on the GPU machine to run those too).
#
# The folder is not tracked by git: copy it to the GPU machine next to the checkout (or pass it
# with the device runner's carry list).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${1:-$REPO/benchmarks/gpu_wheels}
mkdir -p "$DIR"

TARGET=(--only-binary=:all: --python-version 3.12 --implementation cp --abi cp312
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64)

python -m pip download --quiet --no-deps "${TARGET[@]}" -d "$DIR" \
    "numpy>=1.26,<2.4" "h5py>=3.10" \
    "pytest>=8" pluggy iniconfig packaging pygments \
    "hydra-core>=1.3.2,<1.4" "omegaconf>=2.3,<2.4" pyyaml tqdm \
    "lgatr==2.0.0" "pelican-lite>=1.1"
python -m pip wheel --quiet --no-deps -w "$DIR" "antlr4-python3-runtime==4.9.3"

echo "wheels in $DIR:"
ls -1 "$DIR"
du -sh "$DIR"
