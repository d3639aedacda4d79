"""Every model of every experiment compiles with ``torch.compile(fullgraph=True)`` as the experiment calls it.

Each case builds the wrapper the way the experiment does (:func:`~experiments.common.model_build.build_model`
on ``config/model/<name>.yaml`` at a tiny size, the experiment's task arguments and fitted statistics), makes
a small padded batch of the experiment's inputs (ragged masks) with the host inputs its collate computes
(:func:`experiments.common.host_inputs.host_inputs`: packing indices, pairs, frame pairs, edges), and compiles
the module as the trainer does (``torch.compile(model)``), here with ``fullgraph=True, dynamic=False,
backend="aot_eager"``: Dynamo's capture and AOTAutograd's forward and backward graphs, where graph breaks,
host syncs and stride problems show, without Inductor's code generation. In float64 it compares with an
eager copy: training mode (dropout under the same seed) outputs, parameter gradients and the updated
buffers (batch-norm running statistics), then evaluation mode outputs under ``torch.no_grad``.

Training mode is compared under the config's dropout (the tiny sizes keep it); PELICAN's configs have none,
and with dropout eager and compiled PELICAN differ by design: eager drops the padding columns no jet uses
before drawing the masks, compiled keeps them (docs/gpu.md).

Cases: every registered model of every experiment; the taggers with two scalars per particle (quark-gluon,
JetClass), without scalars (``scalars=None``, top tagging) and, those with ParT-style constituent features,
with the ``weaver`` features and ``jets``. The default run keeps the two taggers whose host inputs cover
packing, pairs, frame pairs and offsets (``FAST``: ParT and LLoCa-Transformer, 17 s on one thread; LorentzNet's
and LGN's edges are compiled by test_compile_lorentznet_lgn.py); the rest is slow (all 40 cases: 4 minutes). ``test_host_input_models`` checks which models take host inputs, so a wrapper that
gains some is not left out of the list. Before commit 568a34e, ``tagging-part-scalars`` failed here (and the
slow ``tagging-lloca_part-*``) with "view size is not compatible".

Not repeated here: no other test compiles a wrapper with its experiment's host inputs under aot_eager.
Without them, tests/nets/test_compile.py compiles the L-GATr tagging wrapper (and an eager optimizer step),
test_compile_lorentznet_lgn.py the LorentzNet and LGN tagging wrappers and nets (the nets with edges),
tests/layers/part/test_particle_embedding.py ParT's packed embedding and
tests/layers/particlenet/test_compiled_training.py the ParticleNet nets.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import torch
import yaml
from omegaconf import OmegaConf

from experiments.amplitudes.dataset import TOKEN_NAMES, particle_tokens
from experiments.assignment.dataset import AssignmentDataset
from experiments.assignment.reader import read_assignment_file
from experiments.common.host_inputs import host_inputs
from experiments.common.model_build import build_model
from experiments.registry import wrappers_for
from lorentznets.assignment.topology import EventTopology
from lorentznets.data.amplitudes import generate_events, get_process
from lorentznets.flows import JetCoordinates
from lorentznets.lorentz import from_pt_eta_phi_m
from lorentznets.testing.synthetic_files import write_spanet_file

F64 = torch.float64
MODEL_CONFIGS = Path(__file__).resolve().parents[2] / "config" / "model"
LENGTHS = (7, 3, 5, 1)
"""Real particles per event of the padded batches: ragged, one event of a single particle, and a
padding slot no event uses."""

TINY_FRAMES = {"frames": {"vector_net": {"hidden_channels": 8, "num_layers": 1}}}
TINY = {
    "mlp": {"net": {"hidden_channels": 8, "num_layers": 2}},
    "transformer": {"net": {"hidden_channels": 8, "num_blocks": 1, "num_heads": 2, "mlp_ratio": 2}},
    "gatr": {
        "net": {
            "num_blocks": 1,
            "hidden_mv_channels": 2,
            "hidden_s_channels": 4,
            "attention": {"num_heads": 2},
            "mlp": {"mlp_ratio": 2},
        }
    },
    "pelican": {
        "net": {
            "hidden_channels": 4,
            "message_channels": 4,
            "num_blocks": 1,
            "encoder_channels": 3,
            "scalar_channels": 2,
            "readout_channels": 4,
        }
    },
    "lorentznet": {"net": {"hidden_channels": 4, "num_blocks": 2}},
    "lgn": {"net": {"channels": [2, 2], "maxdim": 1, "mlp_depth": 1, "num_basis": 3}},
    "part": {"net": {"embed_dims": [8, 8], "pair_embed_dims": [4], "num_heads": 2, "num_layers": 1, "ffn_ratio": 2}},
    "particlenet": {"net": {"conv_params": [[3, [8, 8]], [3, [8]]], "fc_params": [[8, 0.1]]}},
    "lloca_transformer": {"net": {"attn_reps": "4x0n+1x1n", "num_heads": 2, "num_blocks": 1}, "wrapper": TINY_FRAMES},
    "lloca_part": {
        "net": {"attn_reps": "4x0n+1x1n", "num_heads": 2, "embed_dims": [16], "pair_embed_dims": [4], "num_layers": 1},
        "wrapper": TINY_FRAMES,
    },
    "lloca_particlenet": {
        "net": {"conv_params": [[3, [8, 8]], [3, [8]]], "hidden_reps": ["4x0n+1x1n"], "fc_params": [[8, 0.1]]},
        "wrapper": TINY_FRAMES,
    },
}
"""``model`` overrides of ``config/model/<name>.yaml``: every other setting (dropout, frames, pair
features, beams, fusion) is the config's."""


@pytest.fixture(autouse=True)
def _fresh_dynamo():
    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


def _model_config(name: str) -> Any:
    return OmegaConf.merge(OmegaConf.load(MODEL_CONFIGS / f"{name}.yaml"), TINY[name])


def _mask(lengths: tuple[int, ...] = LENGTHS) -> torch.Tensor:
    return torch.arange(max(lengths) + 1) < torch.tensor(lengths)[:, None]


def _jets(generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Massless-ish constituents (B, N, 4) GeV around the beam-transverse axis, zeros in the padding."""
    mask = _mask()
    pt_eta_phi_m = torch.stack(
        [
            50 * torch.rand(mask.shape, dtype=F64, generator=generator) + 1,
            0.4 * torch.randn(mask.shape, dtype=F64, generator=generator),
            0.4 * torch.randn(mask.shape, dtype=F64, generator=generator),
            0.1 * torch.rand(mask.shape, dtype=F64, generator=generator),
        ],
        dim=-1,
    )
    return from_pt_eta_phi_m(pt_eta_phi_m) * mask[..., None], mask


def _tagging(name: str, generator: torch.Generator, variant: str = "scalars") -> tuple[torch.nn.Module, tuple, dict]:
    """The binary tagger on ``(momenta, mask, scalars, **host_inputs[, jets])``, as ``TaggingExperiment._logits``
    calls it. ``variant``: ``scalars`` (two per particle, as the quark-gluon and JetClass tasks), ``none``
    (``scalars=None``, as top tagging) or ``weaver`` (two scalars, the ``weaver`` constituent features
    against the jets' full momenta ``jets``)."""
    num_scalars = 0 if variant == "none" else 2
    model = build_model("tagging", _model_config(name), out_channels=1, num_scalars=num_scalars)
    model.set_momentum_scale(20.0)
    momenta, mask = _jets(generator)
    scalars = torch.randn(*mask.shape, num_scalars, dtype=F64, generator=generator) * mask[..., None]
    kwargs = host_inputs(model, mask)
    if variant == "weaver":
        model.set_feature_convention("weaver")
        # the jets' momenta from all their constituents, also those beyond the kept ones
        kwargs["jets"] = momenta.sum(dim=1) * 1.2
    return model, (momenta, mask, scalars if num_scalars else None), kwargs


def _amplitudes(name: str, generator: torch.Generator) -> tuple[torch.nn.Module, tuple, dict]:
    """The regressor of zg (4 particles, padded) and zgg (5) events on ``(momenta, mask, tokens,
    **host_inputs)``, as ``AmplitudeExperiment.model_inputs`` gives them."""
    model = build_model("amplitudes", _model_config(name), n_max=5, num_tokens=len(TOKEN_NAMES))
    model.set_momentum_scale(300.0)
    momenta, masks, tokens = [], [], []
    for process_name, seed in (("zg", 0), ("zgg", 1), ("zg", 2)):
        process = get_process(process_name)
        n = len(process.particles)
        event = torch.tensor(generate_events(process, 1, np.random.default_rng(seed))[0, :-1]).reshape(n, 4)
        momenta.append(torch.cat([event, torch.zeros(5 - n, 4, dtype=F64)]))
        masks.append(torch.arange(5) < n)
        token = torch.tensor(particle_tokens(process.particles), dtype=F64)
        tokens.append(torch.cat([token, torch.zeros(5 - n, len(TOKEN_NAMES), dtype=F64)]))
    mask = torch.stack(masks)
    return model, (torch.stack(momenta), mask, torch.stack(tokens)), host_inputs(model, mask)


def _eventgen(name: str, generator: torch.Generator) -> tuple[torch.nn.Module, tuple, dict]:
    """The velocity network on ``(t, x)`` of seven jets in flow coordinates, as the flow-matching
    loss calls it (no mask: every event has all its jets)."""
    pt_eta_phi_m = torch.stack(
        [
            100 * torch.rand(16, 7, dtype=F64, generator=generator) + 25,
            torch.randn(16, 7, dtype=F64, generator=generator),
            3 * torch.rand(16, 7, dtype=F64, generator=generator) - 1.5,
            10 * torch.rand(16, 7, dtype=F64, generator=generator) + 1,
        ],
        dim=-1,
    )
    p = from_pt_eta_phi_m(pt_eta_phi_m)
    coordinates = JetCoordinates(7, pt_min=20.0).fit(p)
    model = build_model("eventgen", _model_config(name), coordinates=coordinates, time_channels=4)
    x = coordinates.fourmomenta_to_x(p[:4])
    return model, (torch.rand(4, dtype=F64, generator=generator), x), {}


@pytest.fixture(scope="module")
def assignment_events(tmp_path_factory) -> tuple[EventTopology, AssignmentDataset]:
    """Twelve all-hadronic ttbar events of 6 to 9 jets (SPANet layout), with an event regression
    target, so that the event heads are compiled too."""
    path = write_spanet_file(tmp_path_factory.mktemp("assignment") / "events.h5", num_events=12, max_jets=9)
    with h5py.File(path, "a") as handle:
        handle["REGRESSIONS/EVENT/ht"] = (handle["INPUTS/Source/pt"][:] * handle["INPUTS/Source/MASK"][:]).sum(1)
    spec = yaml.safe_load(path.with_suffix(".yaml").read_text())
    spec["REGRESSIONS"] = {"EVENT": [{"ht": "log_gaussian"}]}
    path.with_suffix(".yaml").write_text(yaml.safe_dump(spec))
    topology = EventTopology.from_yaml(path.with_suffix(".yaml"))
    return topology, AssignmentDataset(read_assignment_file(path, topology))


def _assignment(name: str, events: tuple[EventTopology, AssignmentDataset]) -> tuple[torch.nn.Module, tuple, dict]:
    """The assignment wrapper with its fitted statistics on ``(features, momenta, mask,
    global_features, **host_inputs)``, as ``AssignmentExperiment._forward`` calls it."""
    topology, dataset = events
    model = build_model(
        "assignment",
        _model_config(name),
        topology=topology,
        invariant_features=["mass", "btag"],
        features=8,
        rank=4,
    )
    train = dataset.events
    model.fit_normalization(train.features, train.mask, train.global_features)
    model.fit_regression_statistics(train.regressions)
    model.set_momentum_scale(float(dataset.momenta[train.mask].std()))
    batch = dataset.__getitems__([0, 3, 5, 8])
    inputs = tuple(
        batch[key].double() if batch[key].is_floating_point() else batch[key]
        for key in ("features", "momenta", "mask", "global_features")
    )
    return model, inputs, host_inputs(model, batch["mask"])


def _ptopreco(name: str, generator: torch.Generator) -> tuple[torch.nn.Module, tuple, dict]:
    """The momentum regressor on ``(momenta, mask)``, as ``PtoPRecoExperiment.batch_loss`` calls it."""
    model = build_model("ptopreco", _model_config(name))
    model.set_momentum_scale(20.0)
    momenta, mask = _jets(generator)
    return model, (momenta, mask), {}


BUILDERS: dict[str, Callable] = {
    "tagging": _tagging,
    "amplitudes": _amplitudes,
    "eventgen": _eventgen,
    "ptopreco": _ptopreco,
}
HOST_INPUTS = {
    *(("tagging", name) for name in ("gatr", "lgn", "lloca_part", "lloca_particlenet", "lloca_transformer")),
    *(("tagging", name) for name in ("lorentznet", "part")),
    ("amplitudes", "lorentznet"),
    ("assignment", "lorentznet"),
}
"""The models whose experiment passes host inputs (checked by ``test_host_input_models``)."""
FAST = {("tagging", name) for name in ("lloca_transformer", "part")}
"""The default run (with two scalars): one tagger per kind of host input, LorentzNet's and LGN's edges,
ParT's pairs and packing, the LLoCa frame pairs and packing. The other host-input models (L-GATr's
packing, LLoCa-ParT, LLoCa-ParticleNet, the amplitude and assignment LorentzNets) took 75 s more."""
REST_FRAME = {
    *(("tagging", name) for name in ("lloca_part", "lloca_particlenet", "lloca_transformer")),
    ("amplitudes", "lloca_transformer"),
}
"""The Lorentz-invariant LLoCa wrappers, which with their configs (no references, ParT's ln m^2 pair feature
only) see each event from its rest frame (``in_rest_frame``): their cases compile that boost."""


def _cases() -> list:
    cases = []
    for family in ("tagging", "amplitudes", "eventgen", "assignment", "ptopreco"):
        for name in sorted(wrappers_for(family)):
            variants = ["scalars", "none"] if family == "tagging" else [""]
            if family == "tagging" and wrappers_for(family)[name].uses_constituent_features:
                variants.append("weaver")
            for variant in variants:
                fast = (family, name) in FAST and variant in ("", "scalars")
                marks = () if fast else (pytest.mark.slow,)
                case_id = "-".join(filter(None, (family, name, variant)))
                cases.append(pytest.param(family, name, variant, marks=marks, id=case_id))
    return cases


def _tensors(outputs: Any) -> list[torch.Tensor]:
    """The tensors of a nested tuple/list output (assignment: log-probabilities, detection, event heads)."""
    if isinstance(outputs, torch.Tensor):
        return [outputs]
    return [tensor for item in outputs for tensor in _tensors(item)]


def _loss(outputs: list[torch.Tensor]) -> torch.Tensor:
    """Sum of squares of the finite entries (the assignment heads' -inf of impossible tuples left out)."""
    return sum(torch.where(torch.isfinite(out), out, 0).square().sum() for out in outputs)


def _assert_same(compiled: list[torch.Tensor], eager: list[torch.Tensor], what: str) -> None:
    assert len(compiled) == len(eager), what
    for index, (out, expected) in enumerate(zip(compiled, eager, strict=True)):
        torch.testing.assert_close(out, expected, rtol=1e-9, atol=1e-11, equal_nan=True, msg=f"{what} {index}")


def _assert_compiles_as_eager(model: torch.nn.Module, args: tuple, kwargs: dict) -> None:
    """Compile ``model`` (fullgraph, static shapes, aot_eager) and compare it with an eager copy in float64:
    training outputs, parameter gradients and buffers after one step, then evaluation outputs."""
    model = model.double().train()
    eager = copy.deepcopy(model)
    compiled = torch.compile(model, fullgraph=True, dynamic=False, backend="aot_eager")

    torch.manual_seed(1)
    outputs = _tensors(compiled(*args, **kwargs))
    torch.manual_seed(1)
    expected = _tensors(eager(*args, **kwargs))
    _assert_same(outputs, expected, "training output")
    _loss(outputs).backward()
    _loss(expected).backward()
    parameters = dict(eager.named_parameters())
    for key, parameter in model.named_parameters():
        if parameters[key].grad is None:
            assert parameter.grad is None, key
            continue
        torch.testing.assert_close(parameter.grad, parameters[key].grad, rtol=1e-9, atol=1e-11, msg=key)
    buffers = dict(eager.named_buffers())
    for key, buffer in model.named_buffers():
        torch.testing.assert_close(buffer, buffers[key], rtol=1e-9, atol=1e-11, msg=key)

    model.eval()
    eager.eval()
    with torch.no_grad():
        _assert_same(_tensors(compiled(*args, **kwargs)), _tensors(eager(*args, **kwargs)), "evaluation output")


def test_host_input_models(assignment_events):
    """``HOST_INPUTS`` is exactly the models whose experiment passes host inputs."""
    generator = torch.Generator().manual_seed(0)
    with_host_inputs = set()
    for family in ("tagging", "amplitudes", "eventgen", "assignment", "ptopreco"):
        for name in wrappers_for(family):
            if family == "assignment":
                _, _, extra = _assignment(name, assignment_events)
            else:
                _, _, extra = BUILDERS[family](name, generator)
            if extra:
                with_host_inputs.add((family, name))
    assert with_host_inputs == HOST_INPUTS


@pytest.mark.parametrize(("family", "name", "variant"), _cases())
def test_experiment_model_compiles_fullgraph_and_matches_eager(family, name, variant, request):
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    if family == "assignment":
        model, args, kwargs = _assignment(name, request.getfixturevalue("assignment_events"))
    elif family == "tagging":
        model, args, kwargs = _tagging(name, generator, variant)
    else:
        model, args, kwargs = BUILDERS[family](name, generator)
    assert getattr(model, "in_rest_frame", False) == ((family, name) in REST_FRAME)
    _assert_compiles_as_eager(model, args, kwargs)
