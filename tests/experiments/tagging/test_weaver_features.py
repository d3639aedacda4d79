"""``data.features``: the weaver convention against weaver-core's own preprocessing, the default
against the values of the code before the setting existed.

The oracle is weaver-core's ``DataConfig`` and ``_finalize_inputs`` (standardise, clip, pad) on
a table built as the Particle Transformer repository's converters build theirs
(``utils/convert_top_datasets.py``: the jet is the sum of all constituents, ``part_deta`` is
``(eta - jet_eta) * sign(jet_eta)`` with sign 0 taken as +1, ``part_dphi`` wrapped), written here
from those formulas in numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from experiments.tagging import features, wrappers
from experiments.tagging.features import (
    clip_impact_parameter_errors,
    constituent_inputs,
    eta_phi,
    jet_constituent_features,
)
from experiments.tagging.wrappers import LGATrTaggingWrapper, TransformerTaggingWrapper
from experiments.tagging.wrappers_lloca import LLoCaParticleNetTaggingWrapper
from experiments.tagging.wrappers_part import ParticleNetTaggingWrapper, ParTTaggingWrapper
from lorentznets.compat.weaver import binary_logit_head, convert_part_state_dict, convert_particlenet_state_dict

ak = pytest.importorskip("awkward")
weaver_config = pytest.importorskip("weaver.utils.data.config")
weaver_dataset = pytest.importorskip("weaver.utils.dataset")
weaver_preprocess = pytest.importorskip("weaver.utils.data.preprocess")

NEW_VARIABLES = {
    "part_mask": "ak.ones_like(part_deta)",
    "part_pt": "np.hypot(part_px, part_py)",
    "part_pt_log": "np.log(part_pt)",
    "part_e_log": "np.log(part_energy)",
    "part_logptrel": "np.log(part_pt/jet_pt)",
    "part_logerel": "np.log(part_energy/jet_energy)",
    "part_deltaR": "np.hypot(part_deta, part_dphi)",
    "part_d0": "np.tanh(part_d0val)",
    "part_dz": "np.tanh(part_dzval)",
}
KINEMATIC = [
    ["part_pt_log", 1.7, 0.7],
    ["part_e_log", 2.0, 0.7],
    ["part_logptrel", -4.7, 0.7],
    ["part_logerel", -4.7, 0.7],
    ["part_deltaR", 0.2, 4.0],
]
PID = ["part_charge", "part_isChargedHadron", "part_isNeutralHadron", "part_isPhoton", "part_isElectron", "part_isMuon"]
IMPACT = [["part_d0", None], ["part_d0err", 0, 1, 0, 1], ["part_dz", None], ["part_dzerr", 0, 1, 0, 1]]
ANGLES = [["part_deta", None], ["part_dphi", None]]
# JetClass_kin / top_kin, qg_kinpid, JetClass_full (the ParT repository's data configs)
LAYOUTS = {
    "kin": KINEMATIC + ANGLES,
    "kinpid": KINEMATIC + [[name, None] for name in PID] + ANGLES,
    "full": KINEMATIC + [[name, None] for name in PID] + IMPACT + ANGLES,
}


def _constituents(counts, centres, seed):
    """Jets as lists of (E, px, py, pz) arrays by decreasing pT, around the (eta, phi) ``centres``."""
    rng = np.random.default_rng(seed)
    jets = []
    for count, (eta0, phi0) in zip(counts, centres, strict=True):
        pt = np.sort(rng.exponential(30.0, count) + 0.5)[::-1]
        eta = eta0 + 0.3 * rng.standard_normal(count)
        phi = phi0 + 0.3 * rng.standard_normal(count)
        mass = 0.1 * rng.random(count)
        px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
        energy = np.sqrt(px**2 + py**2 + pz**2 + mass**2)
        jets.append(np.stack([energy, px, py, pz], axis=-1))
    return jets


def _mirrored_jet(seed):
    """A jet of constituents in mirror pairs (eta, -eta): its pz sums to exactly zero, eta_jet = 0."""
    (half,) = _constituents([3], [(0.6, 0.2)], seed)
    return np.concatenate([half, half * np.array([1.0, 1.0, 1.0, -1.0])])[[0, 3, 1, 4, 2, 5]]


def _wide_jet():
    """A jet whose soft third constituent, far from the axis, has standardised log pT, log E and
    delta R beyond weaver's clip at +-5."""
    pt, eta, phi = np.array([100.0, 50.0, 0.001]), np.array([-0.5, -0.6, -0.5]), np.array([0.0, 0.1, 2.0])
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    return np.stack([np.sqrt(px**2 + py**2 + pz**2), px, py, pz], axis=-1)


def _scalars(jets, seed):
    """JetClass-like scalars per jet (n, 10): six PID columns, d0val, d0err, dzval, dzerr (raw),
    the errors partly outside [0, 1]."""
    rng = np.random.default_rng(seed)
    return [np.concatenate([rng.integers(0, 2, (len(j), 6)), rng.normal(0, 2, (len(j), 4))], axis=1) for j in jets]


def _weaver(jets, layout, length, scalars=None):
    """weaver-core's ``pf_features`` (B, C, length), ``pf_points``, ``pf_vectors`` and ``pf_mask``
    of the jets, from the ParT converters' table."""
    counts = [len(jet) for jet in jets]
    flat = np.concatenate(jets)
    energy, px, py, pz = flat.T
    jet = np.stack([j.sum(axis=0) for j in jets])  # every constituent of the file
    jet_pt, jet_eta = np.hypot(jet[:, 1], jet[:, 2]), np.arcsinh(jet[:, 3] / np.hypot(jet[:, 1], jet[:, 2]))
    jet_phi = np.arctan2(jet[:, 2], jet[:, 1])
    sign = np.sign(jet_eta)
    sign[sign == 0] = 1
    per_particle = np.repeat(np.arange(len(jets)), counts)
    eta, phi = np.arcsinh(pz / np.hypot(px, py)), np.arctan2(py, px)
    columns = {
        "part_px": px,
        "part_py": py,
        "part_pz": pz,
        "part_energy": energy,
        "part_deta": (eta - jet_eta[per_particle]) * sign[per_particle],
        "part_dphi": (phi - jet_phi[per_particle] + np.pi) % (2 * np.pi) - np.pi,
    }
    if scalars is not None:
        names = [*PID, "part_d0val", "part_d0err", "part_dzval", "part_dzerr"]
        columns.update(dict(zip(names, np.concatenate(scalars).T, strict=True)))
    table = {name: ak.unflatten(values, counts) for name, values in columns.items()}
    table.update(jet_pt=jet_pt, jet_energy=jet[:, 0], label=np.zeros(len(jets)))
    vectors = [[name, None] for name in ("part_px", "part_py", "part_pz", "part_energy")]
    inputs = {
        "pf_points": {"length": length, "pad_mode": "wrap", "vars": ANGLES},
        "pf_features": {"length": length, "pad_mode": "wrap", "vars": LAYOUTS[layout]},
        "pf_vectors": {"length": length, "pad_mode": "wrap", "vars": vectors},
        "pf_mask": {"length": length, "pad_mode": "constant", "vars": [["part_mask", None]]},
    }
    config = weaver_config.DataConfig(
        print_info=False,
        new_variables={
            k: v for k, v in NEW_VARIABLES.items() if scalars is not None or k not in ("part_d0", "part_dz")
        },
        inputs=inputs,
        labels={"type": "simple", "value": ["label"]},
    )
    table = weaver_preprocess._build_new_variables(ak.Array(table), config.var_funcs)
    out = weaver_dataset._finalize_inputs(table, config)
    return {name: torch.from_numpy(out[f"_{name}"]).double() for name in inputs}


def _ours(jets, length, scalars=None):
    """Our padded (B, length, 4) momenta, mask, the full jets (B, 1, 4) and scalars (B, length, 10),
    each jet cut to its ``length`` hardest constituents as the readers do."""
    momenta = torch.zeros(len(jets), length, 4, dtype=torch.float64)
    padded = torch.zeros(len(jets), length, 10, dtype=torch.float64)
    mask = torch.zeros(len(jets), length, dtype=torch.bool)
    for index, jet in enumerate(jets):
        kept = min(len(jet), length)
        momenta[index, :kept] = torch.from_numpy(jet[:kept])
        mask[index, :kept] = True
        if scalars is not None:
            raw = torch.from_numpy(scalars[index][:kept])
            padded[index, :kept] = torch.cat(
                [raw[:, :6], raw[:, 6:7].tanh(), raw[:, 7:8], raw[:, 8:9].tanh(), raw[:, 9:]], 1
            )
    full = torch.stack([torch.from_numpy(jet.sum(axis=0)) for jet in jets])[:, None]
    return momenta, mask, full, padded if scalars is not None else None


COUNTS = [12, 3, 7, 1, 10, 5]
CENTRES = [(1.2, 0.3), (-0.8, 3.0), (-2.0, -3.0), (0.4, 1.0), (-0.1, -1.5), (2.5, -0.2)]


@pytest.mark.parametrize("layout", ["kin", "kinpid", "full"])
def test_weaver_convention_equals_weaver_preprocessing(layout):
    """Negative-eta jets, an eta_jet = 0 jet, jets longer than the kept length (with the full jet
    given), with the PID and impact-parameter scalars in weaver's places."""
    length = 6
    jets = [*_constituents(COUNTS, CENTRES, seed=0), _mirrored_jet(seed=1), _wide_jet()]
    scalars = _scalars(jets, seed=2) if layout != "kin" else None
    reference = _weaver(jets, layout, length, scalars)
    momenta, mask, full, ours_scalars = _ours(jets, length, scalars)
    assert full[-2, 0, 3] == 0  # the mirrored jet's eta is exactly 0: its sign counts as +1
    if layout == "kinpid":
        ours_scalars = ours_scalars[..., :6]
    elif layout == "full":
        ours_scalars = clip_impact_parameter_errors(ours_scalars)
    inputs = constituent_inputs(momenta, mask, ours_scalars, "weaver", full)
    expected = reference["pf_features"].transpose(1, 2)
    assert inputs.shape == expected.shape
    torch.testing.assert_close(inputs[mask], expected[mask], rtol=1e-5, atol=2e-5)
    torch.testing.assert_close(eta_phi(inputs, "weaver")[mask], reference["pf_points"].transpose(1, 2)[mask])
    assert torch.equal(reference["pf_mask"][:, 0].bool(), mask)
    assert (inputs[~mask] == 0).all()
    assert (inputs[-1, 2, [0, 1, 4]] == torch.tensor([-5.0, -5.0, 5.0], dtype=torch.float64)).all()


TINY_WRAPPERS = {
    "transformer": lambda: TransformerTaggingWrapper(dict(hidden_channels=8, num_blocks=1, num_heads=2), 1, 0),
    "part": lambda: ParTTaggingWrapper(dict(embed_dims=(8,), num_heads=2, num_layers=1), 1, 0),
    "particlenet": lambda: ParticleNetTaggingWrapper(dict(conv_params=[(2, (8,))], fc_params=[]), 1, 0),
    "lloca_particlenet": lambda: LLoCaParticleNetTaggingWrapper(
        dict(conv_params=[(2, (8,))], hidden_reps=[], fc_params=[]), 1, 0, frames={"kind": "identity"}
    ),
    "gatr": lambda: LGATrTaggingWrapper(
        dict(num_blocks=1, hidden_mv_channels=2, hidden_s_channels=4, attention={"num_heads": 2}, mlp={}),
        1,
        0,
        kinematic_scalars=True,
    ),
}


@pytest.fixture
def recorded(monkeypatch):
    """The constituent features (B, N, 7) of every call of ``jet_constituent_features`` by the wrappers."""
    calls = []
    original = features.jet_constituent_features

    def record(*args, **kwargs):
        calls.append(original(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(features, "jet_constituent_features", record)
    monkeypatch.setattr(wrappers, "jet_constituent_features", record)
    return calls


@pytest.mark.parametrize("wrapper", list(TINY_WRAPPERS))
def test_wrappers_take_weavers_jet_of_all_constituents_and_lorentznets_the_kept_ones(wrapper, recorded):
    """The features a wrapper computes for jets longer than the kept length: ``weaver`` equals
    weaver-core's (the jet of all constituents, the batches' ``jets``), also for those jets;
    ``lorentznets`` keeps the sum of the kept constituents, as every model saved before the
    setting: it differs from the full jet's features exactly for the longer jets, and ignores
    ``jets``."""
    length = 6
    jets = _constituents(COUNTS, CENTRES, seed=3)
    expected = _weaver(jets, "kin", length)["pf_features"].transpose(1, 2)
    momenta, mask, full, _ = _ours(jets, length)
    model = TINY_WRAPPERS[wrapper]().double().eval()
    model.set_feature_convention("weaver")
    assert model.takes_jets
    model(momenta, mask, jets=full[:, 0].float())
    torch.testing.assert_close(recorded[-1][mask], expected[mask], rtol=1e-5, atol=2e-5)
    with pytest.raises(
        ValueError,
        match=r"data\.features=weaver takes pT_rel, E_rel, delta eta and delta phi .* "
        r"pass jets \(B, 4\)",
    ):
        model(momenta, mask)
    model.set_feature_convention("lorentznets")
    assert not model.takes_jets
    model(momenta, mask, jets=full[:, 0].float())
    model(momenta, mask)
    kept = recorded[-1]
    assert torch.equal(recorded[-2], kept)
    assert torch.equal(kept, jet_constituent_features(momenta, mask))
    close = torch.isclose(kept, jet_constituent_features(momenta, mask, full), rtol=1e-5, atol=2e-5).all(dim=-1)
    for index, count in enumerate(COUNTS):
        assert close[index, mask[index]].all() == (count <= length), count


def test_lorentznets_convention_is_unchanged():
    """The default features equal those of the code before ``data.features`` existed (values of
    the parent commit's ``jet_constituent_features``): saved models keep their function."""
    momenta = torch.tensor(
        [
            [[50.0, 30.0, 20.0, -35.0], [20.0, 10.0, 12.0, -12.0], [0.0, 0.0, 0.0, 0.0]],
            [[80.0, -40.0, 10.0, 60.0], [30.0, -20.0, -5.0, 20.0], [5.0, -1.0, 2.0, 4.0]],
        ],
        dtype=torch.float64,
    )
    mask = torch.tensor([[True, True, False], [True, True, True]])
    before = [
        [
            [1.3195418402073698, 1.338416103799702, 3.044182537684977, 3.054469434365151]
            + [-0.0386875688429873, -0.08673833867598502, -0.4200996471862495],
            [0.7340088788526208, 0.6970125914877936, 2.4586495763302274, 2.413065922053242]
            + [0.11417297795848602, 0.20131710837464079, 0.1257563136829113],
            [0.0] * 7,
        ],
        [
            [1.4134342355155078, 1.6674186442717167, 3.011243637360788, 3.035966154417442]
            + [0.05037828761730356, -0.13072433516542503, -0.23961693576348486],
            [0.928231209123546, 0.9808381671635088, 2.5260406109688263, 2.349385677309234]
            + [-0.2591796790201739, 0.3592329910883034, 0.9718801219190849],
            [-0.6266967306480647, -0.2733934612961298, 0.9711126711972153, 1.0951540488495952]
            + [0.22573265061599357, -0.9928943898326512, 3.272924254469312],
        ],
    ]
    torch.testing.assert_close(
        jet_constituent_features(momenta, mask), torch.tensor(before, dtype=torch.float64), rtol=0, atol=1e-14
    )
    scalars = torch.arange(6.0, dtype=torch.float64).reshape(2, 3, 1)
    inputs = constituent_inputs(momenta, mask, scalars)
    assert torch.equal(inputs, torch.cat([jet_constituent_features(momenta, mask), scalars], -1))
    assert torch.equal(eta_phi(inputs), inputs[..., 4:6])


def _no_dropout(module: torch.nn.Module) -> None:
    for m in module.modules():
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0


def test_converted_weaver_part_in_our_wrapper_reproduces_weaver():
    """weaver's ParT on weaver's inputs; the converted weights in our tagging wrapper with
    ``feature_convention="weaver"`` on the raw GeV momenta and the full jets: the same scores, also
    for a jet longer than the kept length and folded to our binary tagger's one logit
    (:func:`binary_logit_head`)."""
    weaver_part = pytest.importorskip("weaver.nn.model.ParticleTransformer")
    config = dict(embed_dims=(16, 16), pair_embed_dims=(8, 8), num_heads=2, num_layers=1, num_cls_layers=1)
    torch.manual_seed(0)
    reference = weaver_part.ParticleTransformer(input_dim=13, num_classes=2, trim=False, fc_params=[], **config)
    reference.eval()
    jets = _constituents([5, 3, 11, 2], [(1.0, 0.0), (-1.5, 2.0), (-0.3, -2.5), (0.2, 1.0)], seed=4)
    scalars = _scalars(jets, seed=5)
    weaver_in = _weaver(jets, "kinpid", 8, scalars)
    momenta, mask, full, ours_scalars = _ours(jets, 8, scalars)
    state = convert_part_state_dict(reference.state_dict(), prefix="net.")
    expected = torch.softmax(
        reference(
            weaver_in["pf_features"].float(), v=weaver_in["pf_vectors"].float(), mask=weaver_in["pf_mask"].float()
        ),
        dim=1,
    )
    for out_channels, weights in ((2, state), (1, binary_logit_head(state, positive=0, prefix="net."))):
        ours = ParTTaggingWrapper(dict(config, fc_params=[]), out_channels, num_scalars=6)
        missing, unexpected = ours.load_state_dict(weights, strict=False)
        assert missing == ["momentum_scale"] and unexpected == []
        ours.set_momentum_scale(37.0)  # ParT's pair features take GeV, whatever the unit of the other nets
        ours.set_feature_convention("weaver")
        _no_dropout(ours)
        ours.eval()
        logits = ours(momenta.float(), mask, ours_scalars[..., :6].float(), jets=full[:, 0].float())
        scores = torch.softmax(logits, 1)[:, 0] if out_channels == 2 else torch.sigmoid(logits[:, 0])
        torch.testing.assert_close(scores, expected[:, 0], rtol=1e-4, atol=1e-5)


def test_converted_weaver_particlenet_in_our_wrapper_reproduces_weaver():
    weaver_pn = pytest.importorskip("weaver.nn.model.ParticleNet")
    config = dict(conv_params=[(3, (8, 8)), (3, (16,))], fc_params=[(12, 0.0)])
    torch.manual_seed(0)
    reference = weaver_pn.ParticleNet(input_dims=7, num_classes=3, trim=False, **config).eval()
    jets = _constituents([6, 4, 12, 5], [(1.0, 0.0), (-1.5, 2.0), (-0.3, -2.5), (0.2, 1.0)], seed=6)
    weaver_in = _weaver(jets, "kin", 9)
    momenta, mask, full, _ = _ours(jets, 9)
    expected = reference(weaver_in["pf_points"].float(), weaver_in["pf_features"].float(), weaver_in["pf_mask"].float())
    ours = ParticleNetTaggingWrapper(config, 3, num_scalars=0)
    missing, _ = ours.load_state_dict(convert_particlenet_state_dict(reference.state_dict(), "net."), strict=False)
    assert missing == ["momentum_scale"]
    ours.set_feature_convention("weaver")
    ours.eval()
    torch.testing.assert_close(ours(momenta.float(), mask, jets=full[:, 0].float()), expected, rtol=1e-4, atol=1e-5)


def test_unknown_convention_is_refused():
    momenta, mask = torch.ones(1, 2, 4), torch.ones(1, 2, dtype=torch.bool)
    with pytest.raises(ValueError, match=r"unknown feature convention 'ParT'; choose from \('lorentznets', 'weaver'\)"):
        jet_constituent_features(momenta, mask, convention="ParT")
    with pytest.raises(ValueError, match="unknown feature convention"):
        ParTTaggingWrapper(dict(embed_dims=(8,), num_heads=2, num_layers=1), 1, 0).set_feature_convention("x")


# The first three constituents of the first three jets of JetClass_example_100k.root as printed in
# the ParT repository's notebooks/JetClass101.ipynb: pf_vectors (px, py, pz, E) in GeV and the
# file's branches part_deta, part_dphi.
PUBLISHED_JETCLASS = [
    (
        [[-124.57671, 64.3017, -36.05099, 144.75407], [-91.08083, 27.989893, -39.437183, 103.123436]]
        + [[-83.18519, 28.240173, -37.305996, 95.441185]],
        [-7.24204779e-02, 7.60791600e-02, 8.60174894e-02],
        [-8.58111382e-02, 9.25338268e-02, 6.34045601e-02],
    ),
    (
        [[110.01701, 218.53995, -461.0496, 521.9484], [27.931944, 55.72396, -115.04492, 130.84612]]
        + [[20.90474, 40.02955, -86.80113, 97.84585]],
        [1.53504610e-02, -2.94232368e-03, 3.29010487e-02],
        [-4.89609241e-02, -4.72339392e-02, -6.38575554e-02],
    ),
    (
        [[128.54211, -63.016777, 290.1306, 323.52737], [81.7395, -41.089207, 182.74101, 204.36229]]
        + [[22.78092, -11.171425, 49.498, 55.622147]],
        [-1.36301041e-01, -1.49283648e-01, -1.70358062e-01],
        [-1.66876614e-02, -2.66698301e-02, -1.68028474e-02],
    ),
]


@pytest.mark.parametrize("index", range(3))
def test_weaver_delta_eta_has_the_sign_of_jetclass_part_deta(index):
    """The JetClass files' ``part_deta`` is (eta - eta_jet) * sign(eta_jet): between two
    constituents of a jet it differs by their eta difference times the sign of the jet's eta, as
    our ``weaver`` delta eta, whatever the jet's exact axis (taken here at the constituents' mean
    eta and phi); unflipped differences disagree for the jets at negative eta (the first two)."""
    rows, deta, dphi = PUBLISHED_JETCLASS[index]
    px, py, pz, energy = torch.tensor(rows, dtype=torch.float64).T
    momenta = torch.stack([energy, px, py, pz], dim=-1)[None]
    mask = torch.ones(1, 3, dtype=torch.bool)
    eta, phi = torch.asinh(pz / torch.hypot(px, py)).mean(), torch.atan2(py.mean(), px.mean())
    jet = 800.0 * torch.stack([torch.cosh(eta), torch.cos(phi), torch.sin(phi), torch.sinh(eta)])[None, None]
    ours = jet_constituent_features(momenta, mask, jet, "weaver")[0]
    unflipped = jet_constituent_features(momenta, mask, jet)[0]
    published = torch.tensor([deta, dphi], dtype=torch.float64).T
    for column, values in ((5, published[:, 0]), (6, published[:, 1])):
        torch.testing.assert_close(ours[:, column] - ours[0, column], values - values[0], rtol=0, atol=1e-5)
    flipped = not torch.allclose(unflipped[:, 4] - unflipped[0, 4], published[:, 0] - published[0, 0], atol=2e-3)
    assert flipped == bool(eta < 0)
