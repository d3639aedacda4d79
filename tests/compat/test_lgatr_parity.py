"""Drop-in parity with the official lgatr package: same weights, same function."""

import pytest
import torch

from lorentznets.compat.lgatr import convert_lgatr_state_dict, load_lgatr_state_dict
from lorentznets.nets.lgatr import LGATr

lgatr = pytest.importorskip("lgatr")

CONFIGS = [
    # num_blocks, in_mv, in_s, hidden_mv, hidden_s, heads, out_s
    (2, 1, 2, 16, 32, 8, 1),
    (1, 2, 0, 8, 8, 4, 3),
    (3, 3, 4, 12, 16, 2, 0),
]


@pytest.mark.parametrize("head_scale", [False, True])
@pytest.mark.parametrize(("blocks", "in_mv", "in_s", "hidden_mv", "hidden_s", "heads", "out_s"), CONFIGS)
def test_outputs_match_lgatr(blocks, in_mv, in_s, hidden_mv, hidden_s, heads, out_s, head_scale):
    torch.manual_seed(blocks)
    config = dict(
        num_blocks=blocks,
        in_mv_channels=in_mv,
        out_mv_channels=2,
        hidden_mv_channels=hidden_mv,
        in_s_channels=in_s,
        out_s_channels=out_s,
        hidden_s_channels=hidden_s,
        attention={"num_heads": heads, "head_scale": head_scale},
        mlp={},
    )
    official = lgatr.LGATr(**config)
    with torch.no_grad():  # move away from the special initial values (unit scalars, ones)
        for p in official.parameters():
            p.add_(0.1 * torch.randn_like(p))
    ours = load_lgatr_state_dict(LGATr(**config), official.state_dict())
    # float64: a precision loss inside either stream (e.g. the scalars rounded to float32 after
    # each block) is a difference far above 1e-11
    official, ours = official.double(), ours.double()
    x = torch.randn(4, 20, in_mv, 16, dtype=torch.float64)
    s = torch.randn(4, 20, in_s, dtype=torch.float64) if in_s else None
    ref_mv, ref_s = official(x, s)
    mv, scalars = ours(x, s)
    assert mv.dtype == torch.float64
    assert (mv - ref_mv).abs().max() <= 1e-11 * ref_mv.abs().max()
    if out_s == 0:
        assert ref_s is None and scalars is None
    else:
        assert (scalars - ref_s).abs().max() <= 1e-11 * ref_s.abs().max()


def test_unsupported_and_mismatched_state_dicts_raise():
    config = dict(
        num_blocks=1,
        in_mv_channels=1,
        out_mv_channels=1,
        hidden_mv_channels=8,
        in_s_channels=0,
        out_s_channels=0,
        hidden_s_channels=8,
        mlp={},
    )
    official = lgatr.LGATr(**config, attention={"num_heads": 2, "multi_query": True})
    with pytest.raises(ValueError, match="unsupported lgatr features"):
        convert_lgatr_state_dict(official.state_dict(), LGATr(**config, attention={"num_heads": 2}))
    official = lgatr.LGATr(**config, attention={"num_heads": 2, "head_scale": True})
    with pytest.raises(KeyError, match="does not match"):  # our net without the head scale
        convert_lgatr_state_dict(official.state_dict(), LGATr(**config, attention={"num_heads": 2}))
    official = lgatr.LGATr(**{**config, "num_blocks": 2}, attention={"num_heads": 2})
    with pytest.raises(KeyError, match="does not match"):
        convert_lgatr_state_dict(official.state_dict(), LGATr(**config, attention={"num_heads": 2}))
