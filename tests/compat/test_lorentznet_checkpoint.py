"""Official checkpoint import: a state_dict in the original layout, checked against an
independent edge-list implementation of the original forward pass (written from the paper and
the original code's semantics: edges i != j between real particles, BatchNorm with running
statistics, mean-over-edges coordinate update clamped at +-100, readout divided by padded N)."""

import pytest
import torch
import torch.nn.functional as F

from lorentznets.compat.lorentznet import (
    convert_official_state_dict,
    from_official_checkpoint,
    from_official_state_dict,
    to_official_state_dict,
)
from lorentznets.layers.lorentznet import quark_gluon_scalars, top_tagging_inputs
from lorentznets.nets.lorentznet import LorentzNet


def official_state_dict(n_scalar: int, hidden: int = 72, blocks: int = 6, seed: int = 0) -> dict:
    """Random weights under the original key names and shapes (DataParallel prefix)."""
    g = torch.Generator().manual_seed(seed)

    def t(*shape, scale=0.2):
        return scale * torch.randn(*shape, generator=g)

    def bn(prefix):
        return {
            f"{prefix}.weight": 1 + t(hidden),
            f"{prefix}.bias": t(hidden),
            f"{prefix}.running_mean": t(hidden),
            f"{prefix}.running_var": 0.5 + t(hidden).abs(),
            f"{prefix}.num_batches_tracked": torch.tensor(1000),
        }

    sd = {"embedding.weight": t(hidden, n_scalar), "embedding.bias": t(hidden)}
    for k in range(blocks):
        b = f"LGEBs.{k}"
        sd[f"{b}.phi_e.0.weight"] = t(hidden, 2 * hidden + 2)
        sd.update(bn(f"{b}.phi_e.1"))
        sd[f"{b}.phi_e.3.weight"], sd[f"{b}.phi_e.3.bias"] = t(hidden, hidden), t(hidden)
        sd[f"{b}.phi_h.0.weight"] = t(hidden, 2 * hidden + n_scalar)
        sd[f"{b}.phi_h.0.bias"] = t(hidden)
        sd.update(bn(f"{b}.phi_h.1"))
        sd[f"{b}.phi_h.3.weight"], sd[f"{b}.phi_h.3.bias"] = t(hidden, hidden), t(hidden)
        if k < blocks - 1:
            sd[f"{b}.phi_x.0.weight"], sd[f"{b}.phi_x.0.bias"] = t(hidden, hidden), t(hidden)
            sd[f"{b}.phi_x.2.weight"] = t(1, hidden)
        sd[f"{b}.phi_m.0.weight"], sd[f"{b}.phi_m.0.bias"] = t(1, hidden), t(1)
    sd["graph_dec.0.weight"], sd["graph_dec.0.bias"] = t(hidden, hidden), t(hidden)
    sd["graph_dec.3.weight"], sd["graph_dec.3.bias"] = t(2, hidden), t(2)
    return {f"module.{k}": v for k, v in sd.items()}


def reference_forward(sd, scalars, x, mask, c_weight):
    """The original algorithm on a flat edge list (eval mode)."""
    sd = {k.removeprefix("module."): v.double() for k, v in sd.items()}
    batch, n, _ = x.shape
    h = scalars.reshape(batch * n, -1).double()
    attrs = h
    x = x.reshape(batch * n, 4).double()
    node_mask = mask.reshape(-1, 1).double()
    pair = mask[:, :, None] & mask[:, None, :] & ~torch.eye(n, dtype=torch.bool)
    b, i, j = pair.nonzero(as_tuple=True)
    i, j = b * n + i, b * n + j

    def lin(v, name, bias=True):
        return F.linear(v, sd[f"{name}.weight"], sd.get(f"{name}.bias") if bias else None)

    def bnorm(v, name):
        return F.batch_norm(
            v,
            sd[f"{name}.running_mean"],
            sd[f"{name}.running_var"],
            sd[f"{name}.weight"],
            sd[f"{name}.bias"],
            False,
            0.0,
            1e-5,
        )

    def psi(v):
        return torch.sign(v) * torch.log(v.abs() + 1)

    def mdot(a, c):
        return a[:, 0] * c[:, 0] - (a[:, 1:] * c[:, 1:]).sum(-1)

    h = lin(h, "embedding")
    blocks = 1 + max(int(k.split(".")[1]) for k in sd if k.startswith("LGEBs."))
    for k in range(blocks):
        p = f"LGEBs.{k}"
        diff = x[i] - x[j]
        e = torch.cat([h[i], h[j], psi(mdot(diff, diff))[:, None], psi(mdot(x[i], x[j]))[:, None]], 1)
        m = torch.relu(lin(torch.relu(bnorm(lin(e, f"{p}.phi_e.0", False), f"{p}.phi_e.1")), f"{p}.phi_e.3"))
        m = m * torch.sigmoid(lin(m, f"{p}.phi_m.0"))
        if k < blocks - 1:
            trans = diff * lin(torch.relu(lin(m, f"{p}.phi_x.0")), f"{p}.phi_x.2", False)
            trans = trans.clamp(-100, 100)
            agg = torch.zeros_like(x).index_add_(0, i, trans)
            count = torch.zeros_like(x).index_add_(0, i, torch.ones_like(trans)).clamp(min=1)
            x = x + c_weight * agg / count
        agg = torch.zeros_like(h).index_add_(0, i, m)
        node = torch.relu(bnorm(lin(torch.cat([h, agg, attrs], 1), f"{p}.phi_h.0"), f"{p}.phi_h.1"))
        h = h + lin(node, f"{p}.phi_h.3")
    pooled = (h * node_mask).view(batch, n, -1).mean(1)
    return lin(torch.relu(lin(pooled, "graph_dec.0")), "graph_dec.3")


def top_batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    p3 = 30 * torch.randn(3, 9, 3, generator=g, dtype=torch.float64)
    p = torch.cat((p3.norm(dim=-1, keepdim=True) * 1.001, p3), -1)
    mask = torch.ones(3, 9, dtype=torch.bool)
    mask[0, 6:] = False
    mask[2, 4:] = False
    return top_tagging_inputs(p * mask[..., None], mask)


def test_published_top_model_has_224072_parameters():
    model = from_official_state_dict(official_state_dict(2))
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == 224_072
    assert model.official and not model.training


def test_round_trip_and_reproduces_original_forward(tmp_path):
    sd = official_state_dict(2, seed=1)
    path = tmp_path / "best-val-model.pt"
    torch.save(sd, path)
    model = from_official_checkpoint(path).double()
    back = to_official_state_dict(model)
    assert set(back) == set(sd)
    for key, value in sd.items():
        torch.testing.assert_close(back[key].to(value.dtype), value)

    scalars, p, mask = top_batch()
    expected = reference_forward(sd, scalars, p, mask, c_weight=5e-3)
    torch.testing.assert_close(model(scalars, p, mask), expected, rtol=1e-10, atol=1e-10)


def test_quark_gluon_layout():
    sd = official_state_dict(8, seed=2)
    model = from_official_state_dict(sd).double()
    assert model.blocks[0].c_weight == 1e-3 and model.in_scalar_channels == 8
    g = torch.Generator().manual_seed(3)
    pid = torch.tensor([[22, -211, 211, 2112, 0], [11, 130, 0, 0, 0]])
    mask = pid != 0
    scalars = quark_gluon_scalars(pid, mask).double()
    p3 = 50 * torch.randn(2, 5, 3, generator=g, dtype=torch.float64)
    p = torch.cat((torch.sqrt(p3.square().sum(-1, keepdim=True) + 0.02), p3), -1) * mask[..., None]
    torch.testing.assert_close(
        model(scalars, p, mask), reference_forward(sd, scalars, p, mask, 1e-3), rtol=1e-10, atol=1e-10
    )


def test_bad_checkpoints_raise(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        from_official_checkpoint(tmp_path / "missing.pt")
    sd = official_state_dict(2, hidden=8, blocks=2)
    with pytest.raises(KeyError, match="unexpected key"):
        convert_official_state_dict({**sd, "module.extra.weight": torch.zeros(1)})
    del sd["module.LGEBs.0.phi_x.2.weight"]
    with pytest.raises(KeyError, match="missing"):
        from_official_state_dict(sd)
    with pytest.raises(ValueError, match="c_weight"):
        from_official_state_dict(official_state_dict(3, hidden=8, blocks=2))


def test_official_readout_depends_on_padding_default_does_not():
    sd = official_state_dict(2, seed=4)
    official = from_official_state_dict(sd).double()
    ours = LorentzNet(2, 2, 72, 6, c_weight=5e-3).double().eval()
    ours.load_state_dict(official.state_dict())
    scalars, p, mask = top_batch(seed=5)
    extra = 4
    wide = [torch.cat((t, torch.zeros(t.shape[0], extra, *t.shape[2:], dtype=t.dtype)), 1) for t in (scalars, p, mask)]
    assert (official(*wide) - official(scalars, p, mask)).abs().max() > 1e-6
    torch.testing.assert_close(ours(*wide), ours(scalars, p, mask), rtol=1e-12, atol=1e-12)


class _Payload:
    def __reduce__(self):
        return (print, ("executed",))


def test_crafted_and_truncated_checkpoints_are_one_line_errors(tmp_path, capsys):
    crafted, truncated = tmp_path / "crafted.pt", tmp_path / "truncated.pt"
    torch.save({"module.x": _Payload()}, crafted)
    torch.save(official_state_dict(2, hidden=8, blocks=2), truncated)
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(
        ValueError, match=r"refused to load the LorentzNet checkpoint .*crafted\.pt.*nothing .* executed"
    ):
        from_official_checkpoint(crafted)
    assert "executed" not in capsys.readouterr().out
    with pytest.raises(
        ValueError, match=r"LorentzNet checkpoint .*truncated\.pt is truncated or not a torch checkpoint"
    ):
        from_official_checkpoint(truncated)
