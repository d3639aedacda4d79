import pytest
import torch
import yaml

from lorentznets.assignment.event_heads import EventHeads, saved_num_classes
from lorentznets.assignment.event_loss import (
    classification_losses,
    regression_losses,
)
from lorentznets.assignment.event_targets import RegressionTarget, classification_targets, regression_targets
from lorentznets.assignment.topology import EventTopology

BASE = """
INPUTS: {SEQUENTIAL: {Source: {pt: log_normalize}}}
EVENT: {t1: [q1, q2, b], t2: [q1, q2, b]}
"""


def topology(extra: str) -> EventTopology:
    return EventTopology.from_dict(yaml.safe_load(BASE + extra))


def test_spanet_declarations_in_every_form():
    spec = topology(
        """
REGRESSIONS:
  EVENT: [m_tt, [neutrino_eta, laplacian], {met: gaussian}, [ht, log_gaussian]]
  t1: {PARTICLE: [mass], b: [pt]}
  t2: [mass]
CLASSIFICATIONS:
  EVENT: [signal]
  t1: {PARTICLE: [charge]}
"""
    )
    assert regression_targets(spec) == (
        RegressionTarget("EVENT/m_tt"),
        RegressionTarget("EVENT/neutrino_eta", "laplacian"),
        RegressionTarget("EVENT/met"),
        RegressionTarget("EVENT/ht", "log_gaussian"),
        RegressionTarget("t1/PARTICLE/mass"),
        RegressionTarget("t1/b/pt"),
        RegressionTarget("t2/mass"),
    )
    assert classification_targets(spec) == ("EVENT/signal", "t1/PARTICLE/charge")
    assert regression_targets(topology("REGRESSIONS:\nCLASSIFICATIONS:\n")) == ()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("REGRESSIONS: {W: [mass]}", "unknown group 'W'"),
        ("REGRESSIONS: {t1: {q3: [pt]}}", "unknown group 'q3'"),
        ("REGRESSIONS: {EVENT: [[m, poisson]]}", "type 'poisson' is not supported"),
        ("REGRESSIONS: {EVENT: [m, m]}", "declared twice"),
        ("REGRESSIONS: {EVENT: m}", "expected a list"),
        ("CLASSIFICATIONS: {EVENT: [{signal: x}]}", "a classification is a name"),
    ],
)
def test_bad_declarations(extra, message):
    spec = topology(extra)
    with pytest.raises(ValueError, match=message):
        regression_targets(spec)
        classification_targets(spec)


def heads(num_classes=(3, 2)):
    torch.manual_seed(0)
    targets = [RegressionTarget("EVENT/a"), RegressionTarget("EVENT/b", "laplacian")]
    return EventHeads(6, targets, ["EVENT/x", "EVENT/y"], list(num_classes), hidden=8).double()


def test_shapes_pooling_over_real_jets_and_globals():
    model = heads()
    jets, mask = torch.randn(4, 5, 4, dtype=torch.float64), torch.ones(4, 5, dtype=torch.bool)
    mask[0, 3:] = False
    global_features = torch.randn(4, 2, dtype=torch.float64)
    regressions, logits = model(jets, mask, global_features)
    assert regressions.shape == (4, 2) and [lg.shape for lg in logits] == [(4, 3), (4, 2)]
    # Padding jets do not change the output.
    changed = jets.clone()
    changed[0, 3:] = 100.0
    assert torch.equal(model(changed, mask, global_features)[0], regressions)
    with pytest.raises(ValueError, match="expected 6 pooled features"):
        model(jets, mask)
    with pytest.raises(ValueError, match="one entry per classification target"):
        EventHeads(6, [], ["EVENT/x"], [2, 3])


def test_fit_standardises_and_outputs_are_in_original_units():
    model = heads()
    targets = torch.tensor([[1.0, 10.0], [3.0, float("nan")], [float("nan"), 30.0], [5.0, 20.0]])
    model.fit(targets)
    assert torch.allclose(model.regression_mean, torch.tensor([3.0, 20.0], dtype=torch.float64))
    assert torch.allclose(model.regression_std, torch.tensor([2.0, 10.0], dtype=torch.float64))
    standardized = model.standardize(torch.tensor([[5.0, 0.0]], dtype=torch.float64))
    assert torch.allclose(standardized, torch.tensor([[1.0, -2.0]], dtype=torch.float64))
    with pytest.raises(ValueError, match="'EVENT/b' has fewer than two values"):
        model.fit(torch.tensor([[1.0, float("nan")], [2.0, 3.0]]))


def test_losses_ignore_missing_entries_exactly():
    model = heads()
    model.fit(torch.tensor([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]]))
    predictions = torch.tensor([[2.0, 12.0], [4.0, 25.0], [0.0, 0.0]], dtype=torch.float64, requires_grad=True)
    targets = torch.tensor([[1.0, float("nan")], [float("nan"), 20.0], [3.0, 30.0]], dtype=torch.float64)
    loss = regression_losses(model, predictions, targets).sum()
    std = model.regression_std
    # Squared error for a (rows 0, 2), absolute error for b (rows 1, 2), on standardised values.
    expected_a = (((2 - 1) / std[0]) ** 2 + ((0 - 3) / std[0]) ** 2) / 2
    expected_b = (abs(25 - 20) / std[1] + abs(0 - 30) / std[1]) / 2
    assert torch.allclose(loss, expected_a + expected_b)
    loss.backward()
    assert torch.isfinite(predictions.grad).all()
    assert torch.all(predictions.grad[0, 1] == 0) and torch.all(predictions.grad[1, 0] == 0)

    logits = [torch.randn(3, 3, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64)]
    labels = torch.tensor([[2, -1], [-1, -1], [0, 1]])
    log_softmax = [torch.log_softmax(lg, dim=1) for lg in logits]
    expected = -(log_softmax[0][0, 2] + log_softmax[0][2, 0]) / 2 - log_softmax[1][2, 1]
    assert torch.allclose(classification_losses(logits, labels).sum(), expected)
    # A target without any label in the batch contributes nothing (not NaN).
    assert classification_losses([logits[1]], torch.tensor([[-1], [-1], [-1]])).sum() == 0
    assert regression_losses(model, predictions.detach(), torch.full_like(targets, float("nan"))).sum() == 0


def test_class_counts_are_saved_with_the_model():
    model = heads((4, 2))
    state = {f"event_heads.{k}": v for k, v in model.state_dict().items()}
    assert saved_num_classes(state) == [4, 2]
    assert saved_num_classes({}) is None
    fresh = EventHeads(6, model.regressions, model.classifications, saved_num_classes(state), hidden=8).double()
    fresh.load_state_dict(model.state_dict())


def test_log_gaussian_targets_are_fitted_in_signed_log_space():
    torch.manual_seed(1)
    targets = [RegressionTarget("EVENT/a"), RegressionTarget("EVENT/ht", "log_gaussian")]
    model = EventHeads(4, targets, [], [], hidden=8).double()
    values = torch.stack([torch.randn(4000) * 3 + 10, torch.exp(torch.randn(4000) * 1.5 + 6)], dim=1).double()
    values[::7, 1] = float("nan")
    model.fit(values)
    known = values[:, 1].isfinite()
    log_values = torch.asinh(values[known, 1] / 2)
    torch.testing.assert_close(model.regression_mean[1], log_values.mean())
    standardized = model.standardize(values)
    assert abs(float(standardized[known, 1].mean())) < 1e-6 and abs(float(standardized[known, 1].std()) - 1) < 1e-3
    assert abs(float(standardized[:, 0].std()) - 1) < 1e-3
    # Round trip, and the constant prediction is the exp-like inverse of the log-space mean.
    torch.testing.assert_close(model.destandardize(standardized)[known], values[known], rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(model.mean_prediction()[1], 2 * torch.sinh(log_values.mean()))
    # The forward pass predicts in original units through the same inverse transform.
    jets, mask = torch.randn(3, 5, 4, dtype=torch.float64), torch.ones(3, 5, dtype=torch.bool)
    predictions, _ = model(jets, mask)
    raw = model.regression(jets.mean(dim=1))
    torch.testing.assert_close(predictions, model.destandardize(raw))
    # The loss is the squared error of the standardised signed logs.
    target_values = values[:3].clone()
    expected = (raw[:, 1] - model.standardize(target_values)[:, 1]).square()
    weights = target_values[:, 1].isfinite()
    loss = regression_losses(model, predictions, target_values).sum()
    expected_total = (raw[:, 0] - model.standardize(target_values)[:, 0]).square().mean()
    expected_total = expected_total + expected[weights].sum() / weights.sum()
    torch.testing.assert_close(loss, expected_total)


def test_two_ranks_average_to_the_whole_batch_gradient():
    """Under DDP each rank divides by the mean over the ranks of the counts (the experiment's
    shard_normaliser), so that DDP's mean of the ranks' gradients is the gradient of the whole
    batch's loss, also where one rank holds a single known value and the other none (a divisor of
    1/2, which the old clamp to 1 made 1)."""
    model = heads()
    model.fit(torch.tensor([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]]))
    nan = float("nan")
    targets = torch.tensor([[1.0, nan], [nan, 20.0], [nan, 30.0], [nan, nan]], dtype=torch.float64)
    labels = torch.tensor([[2, -1], [-1, 0], [-1, 1], [-1, -1]])
    predictions = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)
    logits = [torch.randn(4, c, dtype=torch.float64, requires_grad=True) for c in (3, 2)]
    inputs = [predictions, *logits]
    whole = regression_losses(model, predictions, targets).sum() + classification_losses(logits, labels).sum()
    expected = torch.autograd.grad(whole, inputs)

    ranks = [slice(0, 2), slice(2, 4)]  # rank 0 holds the only known value of target 0
    known = sum(torch.isfinite(targets[r]).sum(0) for r in ranks) / len(ranks)
    labelled = sum((labels[r] >= 0).sum(0) for r in ranks) / len(ranks)
    rank_losses = [
        regression_losses(model, predictions[r], targets[r], known).sum()
        + classification_losses([lg[r] for lg in logits], labels[r], labelled).sum()
        for r in ranks
    ]
    averaged = torch.autograd.grad(sum(rank_losses) / len(ranks), inputs)
    for got, want in zip(averaged, expected, strict=True):
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)
