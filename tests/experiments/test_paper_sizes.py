"""The config_paper taggers have the published parameter counts (a drifting file trained another
net under the paper's name: L-GATr at 1.68M instead of 1.1M, ParticleNet with a fusion layer)."""

import pytest
from experiment_test_utils import REPO
from omegaconf import OmegaConf

from experiments.common.model_build import build_model

# model file: (published parameters, relative tolerance, source)
PUBLISHED = {
    "gatr": (1.1e6, 0.05, "L-GATr, arXiv 2405.14806"),
    "particlenet": (366e3, 0.01, "ParticleNet, arXiv 1902.08570"),
    "lorentznet": (224e3, 0.01, "LorentzNet, arXiv 2201.08187"),
    "part": (2.14e6, 0.01, "ParT, arXiv 2202.03772"),
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_paper_taggers_have_the_published_size(name):
    published, tolerance, source = PUBLISHED[name]
    cfg = OmegaConf.load(REPO / "config_paper" / "model" / f"{name}.yaml")
    model = build_model("tagging", cfg, out_channels=1, num_scalars=2)
    count = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert abs(count - published) <= tolerance * published, f"{name}: {count} parameters, {source}: {published:.3g}"
