import pytest
import torch
from assignment_test_utils import boosted_batch

from experiments.assignment.dataset import AssignmentDataset
from experiments.assignment.reader import read_assignment_file
from experiments.registry import get_wrapper
from lorentznets.assignment.decoding import exact_decode, greedy_decode
from lorentznets.assignment.heads import valid_tuples
from lorentznets.assignment.topology import EventTopology
from lorentznets.lorentz import random_lorentz_transform

NETS = {
    "transformer": {"hidden_channels": 16, "num_blocks": 1, "num_heads": 2},
    "gatr": {
        "num_blocks": 1,
        "hidden_mv_channels": 4,
        "hidden_s_channels": 8,
        "attention": {"num_heads": 2},
        "mlp": {},
    },
    "pelican": {"hidden_channels": 8, "message_channels": 8, "num_blocks": 1, "encoder_channels": 4},
    "lorentznet": {"hidden_channels": 8, "num_blocks": 2},
}
EQUIVARIANT = ("gatr", "pelican", "lorentznet")


def build(name, spanet_file, seed=0):
    topology = EventTopology.from_yaml(spanet_file.with_suffix(".yaml"))
    dataset = AssignmentDataset(read_assignment_file(spanet_file, topology, 64))
    torch.manual_seed(seed)
    model = get_wrapper("assignment", name)(
        net=NETS[name], topology=topology, invariant_features=["mass", "btag"], features=12, rank=6
    )
    events = dataset.events
    model.fit_normalization(events.features, events.mask, events.global_features)
    model.set_momentum_scale(float(dataset.momenta[events.mask].std()))
    return model.double().eval(), dataset, topology


def _outputs(model, batch):
    with torch.no_grad():
        return model(batch["features"], batch["momenta"], batch["mask"], batch["global_features"])


def _relative_difference(first, second):
    finite = torch.isfinite(first)
    assert torch.equal(finite, torch.isfinite(second))
    return float((first[finite] - second[finite]).abs().max() / first[finite].abs().max())


@pytest.mark.parametrize("name", EQUIVARIANT)
def test_assignment_invariant_under_common_lorentz_transformation(name, spanet_file):
    model, dataset, _ = build(name, spanet_file)
    batch = dataset.__getitems__(list(range(16)))
    batch = {k: (v.double() if torch.is_tensor(v) and v.is_floating_point() else v) for k, v in batch.items()}
    generator = torch.Generator().manual_seed(1)
    transform = random_lorentz_transform((16,), max_rapidity=6.0, generator=generator)
    # Features recomputed from the stored float32 momenta on both sides, so the masses agree.
    batch = boosted_batch(batch, torch.eye(4, dtype=torch.float64).expand(16, 4, 4))
    log_probs, detection = _outputs(model, batch)
    boosted_log_probs, boosted_detection = _outputs(model, boosted_batch(batch, transform))
    for first, second in zip(log_probs, boosted_log_probs):
        assert _relative_difference(first, second) < 1e-9  # measured 7e-11 (gatr) to 1e-12 (lorentznet)
    assert _relative_difference(detection, boosted_detection) < 1e-7  # measured 2.5e-8 (gatr), 2.7e-9 (pelican)
    valid = [valid_tuples(batch["mask"], 3)] * 2
    for decode in (greedy_decode, exact_decode):
        tuples, assigned = decode(log_probs, valid)
        boosted_tuples, boosted_assigned = decode(boosted_log_probs, valid)
        assert torch.equal(assigned, boosted_assigned)
        assert all(torch.equal(a, b) for a, b in zip(tuples, boosted_tuples))


def test_transformer_baseline_is_not_invariant(spanet_file):
    model, dataset, _ = build("transformer", spanet_file)
    batch = {
        k: (v.double() if torch.is_tensor(v) and v.is_floating_point() else v)
        for k, v in dataset.__getitems__(list(range(16))).items()
    }
    transform = random_lorentz_transform((16,), max_rapidity=2.0, generator=torch.Generator().manual_seed(1))
    log_probs, _ = _outputs(model, batch)
    boosted, _ = _outputs(model, boosted_batch(batch, transform))
    assert _relative_difference(log_probs[0], boosted[0]) > 1e-3


@pytest.mark.parametrize("name", list(NETS))
def test_jet_permutation_equivariance_and_normalised_outputs(name, spanet_file):
    model, dataset, _ = build(name, spanet_file)
    batch = {
        k: (v.double() if torch.is_tensor(v) and v.is_floating_point() else v)
        for k, v in dataset.__getitems__(list(range(8))).items()
    }
    # Permute among the first six jets, which are real in every event.
    perm = torch.tensor([3, 0, 5, 1, 4, 2] + list(range(6, batch["mask"].shape[1])))
    permuted = {**batch, **{k: batch[k][:, perm] for k in ("features", "momenta", "mask")}}
    log_probs, detection = _outputs(model, batch)
    permuted_log_probs, permuted_detection = _outputs(model, permuted)
    expected = log_probs[0][:, perm][:, :, perm][:, :, :, perm]
    assert _relative_difference(expected, permuted_log_probs[0]) < 1e-9
    assert torch.allclose(detection, permuted_detection, rtol=1e-9, atol=1e-12)
    total = torch.logsumexp(log_probs[1].flatten(1), dim=1)
    assert torch.allclose(total, torch.zeros_like(total), atol=1e-9)


def test_saved_model_loads_without_training_file(spanet_file, tmp_path):
    model, dataset, topology = build("pelican", spanet_file)
    assert not torch.equal(model.feature_transform.mean, torch.zeros(5, dtype=torch.float64))
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    fresh = (
        get_wrapper("assignment", "pelican")(
            net=NETS["pelican"], topology=topology, invariant_features=["mass", "btag"], features=12, rank=6
        )
        .double()
        .eval()
    )
    fresh.load_state_dict(torch.load(path))
    batch = {
        k: (v.double() if torch.is_tensor(v) and v.is_floating_point() else v)
        for k, v in dataset.__getitems__(list(range(8))).items()
    }
    for first, second in zip(_outputs(model, batch)[0], _outputs(fresh, batch)[0]):
        assert torch.equal(first, second)
    assert float(fresh.momentum_scale) == float(model.momentum_scale) != 1.0


def test_lorentznet_edges_of_real_pairs_give_the_padded_outputs(spanet_file):
    """The backbone's ``host_inputs`` (messages over real jet pairs only) give the padded outputs."""
    model, dataset, _ = build("lorentznet", spanet_file)
    batch = dataset.__getitems__(list(range(16)))
    batch = {k: (v.double() if torch.is_tensor(v) and v.is_floating_point() else v) for k, v in batch.items()}
    assert not bool(batch["mask"].all()), "the test needs padded events"
    host = model.host_inputs(batch["mask"])
    lengths = batch["mask"].sum(1)
    assert host["edges"].shape[1] == int((lengths * (lengths - 1)).sum())  # ordered pairs of distinct jets
    with torch.no_grad():
        fast = model(batch["features"], batch["momenta"], batch["mask"], batch["global_features"], **host)
    for first, second in zip(fast[0], _outputs(model, batch)[0], strict=True):
        assert _relative_difference(first, second) < 1e-12
    torch.testing.assert_close(fast[1], _outputs(model, batch)[1], rtol=1e-12, atol=1e-12)
