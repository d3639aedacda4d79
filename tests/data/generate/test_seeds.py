"""Pythia seeds of the chunks: files of different --seed share no Pythia run, and none is 0."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from lorentznets.data.generate import ttbar
from lorentznets.data.generate.options import MAX_CHUNKS, MAX_PYTHIA_SEED, MAX_SEED, pythia_seed
from lorentznets.data.generate.pythia_session import make_pythia


def test_every_seed_chunk_and_stream_has_its_own_pythia_seed():
    seeds = [0, 1, 2, 3, 1000, MAX_SEED - 1, MAX_SEED]
    chunks = [0, 1, 2, 17, MAX_CHUNKS - 2, MAX_CHUNKS - 1]
    values = [pythia_seed(s, c, stream) for s in seeds for c in chunks for stream in (0, 1)]
    assert len(set(values)) == len(values)
    assert min(values) == 1 and max(values) == MAX_PYTHIA_SEED  # never 0: Pythia's clock seed
    # the two files of the issue: seed 1 chunk 1 and seed 2 chunk 0 were both Random:seed 2
    assert pythia_seed(1, 1) != pythia_seed(2, 0)
    for bad in ((MAX_SEED + 1, 0, 0), (0, MAX_CHUNKS, 0), (0, 0, 2), (-1, 0, 0)):
        with pytest.raises(ValueError, match="no Pythia seed"):
            pythia_seed(*bad)


def test_seed_zero_is_never_passed_to_pythia():
    with pytest.raises(ValueError, match=r"Random:seed 0 is outside \[1, 900000000\]"):
        make_pythia(["Beams:eCM = 14000", "HardQCD:all = on"], seed=0)


def test_chunks_of_neighbouring_seeds_hold_other_events():
    parser = argparse.ArgumentParser()
    ttbar.add_arguments(parser)
    settings = ttbar.settings_from_args(parser.parse_args(["--n", "4", "--chunk-size", "2", "--batch", "20"]))
    first = ttbar.generate_chunk({**settings, "seed": 1}, 1, 2)
    second = ttbar.generate_chunk({**settings, "seed": 2}, 0, 2)
    again = ttbar.generate_chunk({**settings, "seed": 1}, 1, 2)
    key = "INPUTS/Source/pt"
    np.testing.assert_array_equal(first[key], again[key])  # a function of (seed, chunk)
    assert not np.isin(first[key][first[key] > 0], second[key]).any()


def test_veto_check_refuses_seed_zero_when_parsed(capsys):
    from lorentznets.data.generate.veto_check import main

    with pytest.raises(SystemExit) as exit_info:
        main(["toptagging", "--seed", "0"])
    assert exit_info.value.code == 2
    assert "argument --seed: expected an integer in [1, 900000000], got 0" in capsys.readouterr().err
