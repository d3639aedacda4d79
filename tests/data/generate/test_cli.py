import numpy as np
import pytest

from lorentznets.data.generate.cli import DATASETS, build_dataset_parser, main


def test_unknown_dataset_is_rejected(capsys):
    with pytest.raises(SystemExit):
        main(["nonsense"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("dataset", ["toptagging", "quarkgluon", "ttbar"])
def test_own_generators_share_the_common_options(dataset):
    parser, module = build_dataset_parser(dataset)
    args = parser.parse_args(["--n", "10", "--seed", "3", "--workers", "2", "--out", "x.h5"])
    assert (args.n, args.seed, args.workers, str(args.out)) == (10, 3, 2, "x.h5")
    assert callable(module.run)


@pytest.mark.parametrize("seed", ["9000", "-1", "abc"])
def test_seed_outside_its_range_is_rejected(capsys, seed):
    parser, _ = build_dataset_parser("toptagging")
    with pytest.raises(SystemExit):
        parser.parse_args(["--seed", seed])
    assert f"argument --seed: expected an integer in [0, 8999], got {seed}" in capsys.readouterr().err


def test_amplitudes_subcommand_is_dispatched_lazily():
    assert DATASETS["amplitudes"][0] == "lorentznets.data.amplitudes.generate"
    try:
        parser, module = build_dataset_parser("amplitudes")
    except ModuleNotFoundError as error:
        assert "lorentznets.data.amplitudes.generate" in str(error)
    else:
        assert callable(module.run) and parser.prog.endswith("amplitudes")


def test_dataset_help_reaches_the_dataset_parser(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["toptagging", "--help"])
    assert exit_info.value.code == 0
    assert "--pthat-min" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("dataset", "options", "message"),
    [
        ("toptagging", ["--radius", "0"], "argument --radius: expected a finite number > 0, got 0"),
        ("toptagging", ["--batch", "0"], "argument --batch: expected a positive integer, got 0"),
        ("quarkgluon", ["--max-particles", "-5"], "argument --max-particles: expected a positive integer, got -5"),
        ("ttbar", ["--btag-b", "1.5"], "argument --btag-b: expected a number in [0, 1], got 1.5"),
        ("amplitudes", ["--n", "0"], "argument --n: expected a positive integer, got 0"),
        ("amplitudes", ["--seed", "-1"], "argument --seed: expected an integer >= 0, got -1"),
        ("amplitudes", ["--sqrt-s", "nan"], "argument --sqrt-s: expected a finite number > 0, got nan"),
    ],
)
def test_out_of_range_options_are_refused_when_parsed(capsys, dataset, options, message):
    with pytest.raises(SystemExit) as exit_info:
        main([dataset, *options])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("dataset", "options", "message"),
    [
        ("toptagging", ["--pt-min", "700", "--pt-max", "600"], "--pt-min 700 must be below --pt-max 600"),
        ("quarkgluon", ["--pthat-min", "500", "--pthat-max", "400"], "--pthat-min 500 must be below --pthat-max 400"),
        ("ttbar", ["--min-jets", "8", "--max-jets", "7"], "need 6 <= --min-jets <= --max-jets, got 8 and 7"),
        ("ttbar", ["--n", "50001", "--chunk-size", "1"], "more than the 50000 a file can have"),
        ("toptagging", ["--n", "100001", "--chunk-size", "2"], "use --chunk-size >= 3"),
        ("quarkgluon", ["--pthat-min", "0"], "--pthat-min 0.0 must be at least 1 GeV with --bias-power 2.0"),
    ],
)
def test_empty_cut_windows_stop_before_any_event_in_one_line(tmp_path, capsys, dataset, options, message):
    out = tmp_path / "x.h5"
    with pytest.raises(SystemExit) as exit_info:
        main([dataset, "--n", "10", "--out", str(out), *options])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert not out.exists()


def test_a_selection_nothing_passes_stops_instead_of_drawing_forever():
    from lorentznets.data.generate.sampling import EMPTY_DRAWS_LIMIT, collect_rows

    draws = []

    def nothing():
        draws.append(1)
        return {"x": np.zeros((0, 3))}

    with pytest.raises(ValueError, match=f"no event passed the selection in {EMPTY_DRAWS_LIMIT} batches"):
        collect_rows(nothing, 5)
    assert len(draws) == EMPTY_DRAWS_LIMIT
    rows = iter([{"x": np.zeros((0, 3))}] * 3 + [{"x": np.ones((4, 3))}] * 2)
    assert collect_rows(lambda: next(rows), 6)["x"].shape == (6, 3)
