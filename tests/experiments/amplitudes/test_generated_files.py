"""A generated amplitude file is reused only with the phase space it was made with."""

import pytest

from experiments.amplitudes.generated_files import check_generated_settings
from lorentznets.data.amplitudes import write_process_file

PHASE_SPACE = {"sqrt_s": 1000.0, "pt_min": 20.0, "delta_r_min": 0.4, "max_boost_rapidity": 2.0}


@pytest.fixture(scope="module")
def zg_file(tmp_path_factory):
    return write_process_file(tmp_path_factory.mktemp("amp"), "zg", 20, seed=0, progress=False, **PHASE_SPACE)


def test_the_same_phase_space_reuses_the_file(zg_file, caplog):
    check_generated_settings(zg_file, PHASE_SPACE, weighted_before=True)
    assert caplog.text == ""


def test_another_phase_space_is_refused(zg_file):
    message = (
        r"zg\.npy was generated with another phase space \(sqrt_s: file has 1000\.0, data\.phase_space asks for "
        r"500\.0; pt_min: file has 20\.0, data\.phase_space asks for 100\.0\): delete it"
    )
    with pytest.raises(ValueError, match=message):
        check_generated_settings(zg_file, {**PHASE_SPACE, "sqrt_s": 500.0, "pt_min": 100.0}, weighted_before=False)


def test_a_file_from_before_the_unweighting_warns(zg_file, caplog):
    meta = zg_file.with_suffix(".meta.txt")
    text = meta.read_text()
    meta.write_text("".join(line + "\n" for line in text.splitlines() if not line.startswith("phase_space")))
    try:
        check_generated_settings(zg_file, PHASE_SPACE, weighted_before=False)
        assert caplog.text == ""  # a two-body file was flat already
        check_generated_settings(zg_file, PHASE_SPACE, weighted_before=True)
        assert "generated before 2026-12-07" in caplog.text
    finally:
        meta.write_text(text)


def test_a_file_written_with_the_writers_defaults_is_checked_too(tmp_path):
    # write_process_file recorded only the settings passed to it: a file of the defaults passed any check
    path = write_process_file(tmp_path, "zg", 20, seed=0, progress=False)
    assert "sqrt_s: 1000.0" in path.with_suffix(".meta.txt").read_text()
    with pytest.raises(ValueError, match="sqrt_s: file has 1000.0, data.phase_space asks for 500.0"):
        check_generated_settings(path, {**PHASE_SPACE, "sqrt_s": 500.0}, weighted_before=False)
    # older meta files without the key: the file has the generator's default
    meta = path.with_suffix(".meta.txt")
    meta.write_text("".join(line + "\n" for line in meta.read_text().splitlines() if not line.startswith("sqrt_s")))
    with pytest.raises(ValueError, match="sqrt_s: file has 1000.0, data.phase_space asks for 500.0"):
        check_generated_settings(path, {**PHASE_SPACE, "sqrt_s": 500.0}, weighted_before=False)
