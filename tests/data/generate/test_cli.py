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


def test_seed_outside_pythia_range_is_rejected():
    parser, _ = build_dataset_parser("toptagging")
    with pytest.raises(SystemExit):
        parser.parse_args(["--seed", "900000001"])


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
