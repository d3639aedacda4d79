"""The converter writes <output>.partial first: an input of that name is refused, not destroyed."""

import pytest

from lorentznets.data.convert.__main__ import main


def test_an_input_named_like_the_outputs_temporary_file_is_kept(tmp_path, capsys):
    source = tmp_path / "in.h5.partial"
    source.write_bytes(b"the only copy of the data")
    with pytest.raises(SystemExit) as exit_info:
        main(["landscape", str(source), str(tmp_path / "in.h5")])
    assert exit_info.value.code == 2
    assert "is the temporary file of the output" in capsys.readouterr().err
    assert source.read_bytes() == b"the only copy of the data"
