"""The LGN tagging wrapper and its configs (lives here because tests/experiments is not LGN's)."""

from pathlib import Path

import torch
from omegaconf import OmegaConf

from experiments.registry import wrappers_for
from lorentznets.lorentz import boost_matrix, random_lorentz_transform, rotation_matrix
from lorentznets.testing import assert_invariant

ROOT = Path(__file__).resolve().parents[2]


def _wrapper(config="config/model/lgn.yaml", **options):
    cfg = OmegaConf.to_container(OmegaConf.load(ROOT / config), resolve=True)
    assert cfg["name"] == "lgn"
    wrapper_options = {**cfg.get("wrapper", {}), **options}
    torch.manual_seed(0)
    model = wrappers_for("tagging")["lgn"](cfg["net"], out_channels=1, num_scalars=1, **wrapper_options)
    model.set_momentum_scale(50.0)
    return model


def _jets():
    generator = torch.Generator().manual_seed(0)
    energy = 10 + 100 * torch.rand(3, 6, generator=generator, dtype=torch.float64)
    direction = torch.randn(3, 6, 3, generator=generator, dtype=torch.float64) * 0.2
    direction[..., 0] += 1
    direction = direction / direction.norm(dim=-1, keepdim=True)
    p = torch.cat([energy[..., None], energy[..., None] * direction], dim=-1)
    mask = torch.ones(3, 6, dtype=torch.bool)
    mask[1, 4:] = False
    scalars = torch.randn(3, 6, 1, dtype=torch.float64, generator=generator)
    return p, mask, scalars


def test_quick_and_paper_configs_build():
    quick, paper = _wrapper(), _wrapper("config_paper/model/lgn.yaml")
    assert len(quick.net.levels) == 2 and len(paper.net.levels) == 3
    # 3,025 for the bare net + complex weights of the 2 input scalars (beam flag, scalar).
    assert sum(w.numel() for w in paper.parameters()) == 3033
    p, mask, scalars = _jets()
    assert quick(p.float(), mask, scalars.float()).shape == (3, 1)


def test_without_beams_the_tagger_is_lorentz_invariant():
    model = _wrapper(beams=False)
    p, mask, scalars = _jets()
    assert_invariant(
        model,
        (p, mask, scalars),
        ("vector", "none", "scalar"),
        particle_dims=(1, 1, 1),
        max_rapidity=3.0,
        rtol=1e-9,
        n_trials=2,
    )


def test_with_beams_the_tagger_is_invariant_only_under_rotations_about_the_beam():
    model = _wrapper(beams=True)
    p, mask, scalars = _jets()
    out = model(p, mask, scalars)
    angle = torch.tensor(0.7, dtype=torch.float64)
    rotation = torch.eye(3, dtype=torch.float64)
    rotation[0, 0] = rotation[1, 1] = torch.cos(angle)
    rotation[0, 1], rotation[1, 0] = -torch.sin(angle), torch.sin(angle)
    rotated = model(p @ rotation_matrix(rotation).mT, mask, scalars)
    assert torch.allclose(rotated, out, rtol=1e-10, atol=0)
    generic = random_lorentz_transform((), max_rapidity=2.0, generator=torch.Generator().manual_seed(1))
    assert not torch.allclose(model(p @ generic.mT, mask, scalars), out, rtol=1e-6, atol=0)
    boost = boost_matrix(torch.tensor(1.5, dtype=torch.float64), torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64))
    # The massive beams (sqrt2, 0, 0, +-1) are not boost invariant, so neither is the tagger.
    assert not torch.allclose(model(p @ boost.mT, mask, scalars), out, rtol=1e-6, atol=0)


def test_pair_list_edges_give_the_same_logits():
    p, mask, scalars = _jets()
    for beams in (False, True):
        model = _wrapper(beams=beams)
        edges = model.pair_list(mask)
        n = mask.sum(1) + 2 * beams
        assert edges.shape[1] == int((n * (n - 1)).sum())
        torch.testing.assert_close(model(p, mask, scalars, edges), model(p, mask, scalars), rtol=1e-12, atol=1e-14)
