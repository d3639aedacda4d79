import re

import numpy as np

from experiments.eventgen.plots import plot_observables


def test_plot_observables_writes_one_pdf_page_and_a_png(tmp_path):
    rng = np.random.default_rng(0)
    true = {"pt_b1": rng.exponential(50, 500) + 25, "phi_b1": rng.uniform(-3, 3, 500)}
    generated = {"pt_b1": rng.exponential(55, 400) + 25, "phi_b1": rng.uniform(-3, 3, 400)}
    generated["pt_b1"][0] = np.nan
    paths = plot_observables(true, generated, tmp_path / "sub" / "jets.pdf", n_bins=20)
    assert paths == [tmp_path / "sub" / "jets.pdf", tmp_path / "sub" / "jets.png"]
    content = paths[0].read_bytes()
    assert content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", content)) == 1
    assert paths[1].read_bytes().startswith(b"\x89PNG")
