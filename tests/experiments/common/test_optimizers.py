"""Optimizers (including our Lion) and schedulers."""

from __future__ import annotations

import math

import pytest
import torch

from experiments.common.optimizers import Lion, build_optimizer, finetune_parameter_groups
from experiments.common.schedulers import build_scheduler, cosine_restarts_factor, scheduler_state_for


def test_lion_step_matches_its_definition():
    param = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    optimizer = Lion([param], lr=0.1, betas=(0.9, 0.99), weight_decay=0.5)
    momentum = torch.tensor([0.0, 0.0, 0.0])
    expected = param.detach().clone()
    for grad in (torch.tensor([0.5, -1.0, 0.0]), torch.tensor([-2.0, 1.0, 1.0])):
        param.grad = grad.clone()
        optimizer.step()
        expected = expected * (1 - 0.1 * 0.5)
        expected = expected - 0.1 * torch.sign(0.9 * momentum + 0.1 * grad)
        momentum = 0.99 * momentum + 0.01 * grad
        torch.testing.assert_close(param.detach(), expected, rtol=0, atol=1e-7)


def test_lion_minimises_a_quadratic():
    param = torch.nn.Parameter(torch.tensor([3.0, -4.0]))
    optimizer = Lion([param], lr=0.01)
    for _ in range(1000):
        optimizer.zero_grad()
        (param**2).sum().backward()
        optimizer.step()
    assert param.abs().max() < 0.05


@pytest.mark.parametrize("name", ["adam", "adamw", "lion"])
def test_build_optimizer(name):
    optimizer = build_optimizer([torch.nn.Parameter(torch.ones(2))], name, 1e-3, 0.1, (0.8, 0.9))
    assert optimizer.param_groups[0]["betas"] == (0.8, 0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'sgdx'.*adam"):
        build_optimizer([torch.nn.Parameter(torch.ones(2))], "sgdx", 1e-3)


def _lrs(name, steps=10, **kwargs):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0)
    scheduler = build_scheduler(optimizer, name, total_steps=steps, lr=1.0, **kwargs)
    lrs = []
    for _ in range(steps):
        optimizer.step()
        scheduler.step() if name != "plateau" else scheduler.step(1.0)
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def test_schedulers():
    assert _lrs("constant") == [1.0] * 10
    cosine = _lrs("cosine", min_lr_factor=0.1)
    assert cosine[-1] == pytest.approx(0.1) and all(a >= b for a, b in zip(cosine, cosine[1:]))
    onecycle = _lrs("onecycle", steps=20, warmup_fraction=0.3)
    peak = max(range(20), key=onecycle.__getitem__)
    assert 3 <= peak <= 7 and onecycle[-1] < 0.02
    plateau = _lrs("plateau", plateau_factor=0.5, plateau_patience=2)
    assert plateau[0] == 1.0 and plateau[-1] < 0.2
    with pytest.raises(ValueError, match="unknown scheduler"):
        _lrs("linear")


def test_cosine_restarts_warm_up_then_restart_with_growing_periods():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0)
    scheduler = build_scheduler(
        optimizer, "cosine_restarts", 16, 1.0, min_lr_factor=0.1, restart_steps=3, restart_mult=2, warmup_steps=2
    )
    lrs = []  # the rate each of the 16 steps uses
    for _ in range(16):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()

    def cosine(position, length):
        return 0.1 + 0.9 * (1 + math.cos(math.pi * position / length)) / 2

    # warm-up 1/2, 2/2; a decay of 3 steps, then of 6, then of 12 (cut at step 16)
    expected = [0.5, 1.0] + [cosine(k, 3) for k in range(3)] + [cosine(k, 6) for k in range(6)]
    expected += [cosine(k, 12) for k in range(5)]
    assert lrs == pytest.approx(expected)
    # a billion-step run with a one-step first decay: each rate in closed form, not by walking the decays
    assert cosine_restarts_factor(10**9, 1, 2, 0, 0.0) == pytest.approx(
        (1 + math.cos(math.pi * 463_129_089 / 2**29)) / 2
    )
    # one decay over the run (the last value is the rate after the run, where a restart begins)
    assert _lrs("cosine_restarts", steps=10)[:-1] == pytest.approx(_lrs("cosine")[:-1])


def test_cosine_restarts_resume_from_the_saved_state():
    def schedule():
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0)
        return optimizer, build_scheduler(optimizer, "cosine_restarts", 20, 1.0, restart_steps=4, restart_mult=2)

    optimizer, scheduler = schedule()
    for _ in range(7):
        optimizer.step()
        scheduler.step()
    resumed_optimizer, resumed = schedule()
    resumed.load_state_dict(scheduler.state_dict())
    for _ in range(5):
        optimizer.step(), scheduler.step(), resumed_optimizer.step(), resumed.step()
        assert resumed_optimizer.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]


def _two_layers() -> torch.nn.Sequential:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))


def test_finetune_groups_give_head_and_backbone_their_learning_rates():
    model = _two_layers()
    groups = finetune_parameter_groups(model.named_parameters(), ("1.",), 1e-3, 0.1, head_lr=5e-3)
    assert [(g["name"], g["lr"], len(g["params"])) for g in groups] == [("head", 5e-3, 2), ("backbone", 1e-4, 2)]
    assert groups[0]["params"][0] is model[1].weight
    default = finetune_parameter_groups(model.named_parameters(), ("1.",), 1e-3, 0.1)
    assert default[0]["lr"] == 1e-3
    with pytest.raises(ValueError, match=r"head prefixes \['head.'\]"):
        finetune_parameter_groups(model.named_parameters(), ("head.",), 1e-3, 1.0)


def test_a_zero_backbone_factor_keeps_the_backbone_fixed():
    model = _two_layers()
    backbone = model[0].weight.detach().clone()
    head = model[1].weight.detach().clone()
    groups = finetune_parameter_groups(model.named_parameters(), ("1.",), 1e-2, 0.0)
    optimizer = build_optimizer(groups, "adamw", 1e-2, weight_decay=0.1)
    scheduler = build_scheduler(optimizer, "cosine", total_steps=5, lr=1e-2, min_lr_factor=0.1)
    for _ in range(5):
        optimizer.zero_grad()
        model(torch.randn(8, 3)).square().sum().backward()
        optimizer.step()
        scheduler.step()
    assert torch.equal(model[0].weight, backbone)
    assert not torch.equal(model[1].weight, head)


@pytest.mark.parametrize("name", ["cosine", "onecycle"])
def test_schedules_keep_the_ratio_of_group_learning_rates(name):
    head, backbone = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
    optimizer = torch.optim.SGD([{"params": [head], "lr": 1.0}, {"params": [backbone], "lr": 0.1}])
    scheduler = build_scheduler(optimizer, name, total_steps=10, lr=1.0, min_lr_factor=0.2, warmup_fraction=0.3)
    ratios = []
    for _ in range(10):
        optimizer.step()
        scheduler.step()
        ratios.append(optimizer.param_groups[1]["lr"] / optimizer.param_groups[0]["lr"])
    assert ratios == pytest.approx([0.1] * 10)
    if name == "cosine":
        # Each group decays to min_lr_factor times its own learning rate, as one group does.
        assert [g["lr"] for g in optimizer.param_groups] == pytest.approx([0.2, 0.02])
        assert _lrs("cosine", min_lr_factor=0.2) == pytest.approx(
            [0.2 + 0.8 * (1 + math.cos(math.pi * k / 10)) / 2 for k in range(1, 11)]
        )


def test_lion_update_interpolates_with_beta1_and_momentum_with_beta2():
    # After a gradient of 100 the momentum is 0.01 * 100 = 1; with the gradient -20 the update
    # sign(0.9 * 1 - 0.1 * 20) = -1 differs from sign(0.99 * 1 - 0.01 * 20) = +1.
    param = torch.nn.Parameter(torch.tensor([0.0]))
    optimizer = Lion([param], lr=0.1, betas=(0.9, 0.99))
    param.grad = torch.tensor([100.0])
    optimizer.step()
    assert param.item() == pytest.approx(-0.1, abs=1e-7)
    assert optimizer.state[param]["exp_avg"].item() == pytest.approx(1.0, abs=1e-6)
    param.grad = torch.tensor([-20.0])
    optimizer.step()
    assert param.item() == pytest.approx(0.0, abs=1e-7)
    assert optimizer.state[param]["exp_avg"].item() == pytest.approx(0.99 - 0.2, abs=1e-6)


def test_cosine_decays_to_min_lr_factor_times_a_small_lr():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1e-3)
    scheduler = build_scheduler(optimizer, "cosine", total_steps=10, lr=1e-3, min_lr_factor=0.1)
    lrs = []
    for _ in range(10):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    expected = [1e-4 + 9e-4 * (1 + math.cos(math.pi * k / 10)) / 2 for k in range(1, 11)]
    assert lrs == pytest.approx(expected, rel=1e-9, abs=0)
    assert lrs[-1] == pytest.approx(1e-4, rel=1e-9)


def test_per_group_cosine_stays_at_its_minimum_after_the_last_step():
    head, backbone = torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(1))
    optimizer = torch.optim.SGD([{"params": [head], "lr": 1e-3}, {"params": [backbone], "lr": 1e-4}])
    scheduler = build_scheduler(optimizer, "cosine", total_steps=4, lr=1e-3, min_lr_factor=0.2)
    after = []
    for _ in range(8):
        optimizer.step()
        scheduler.step()
        after.append([group["lr"] for group in optimizer.param_groups])
    # From step 4 (= total_steps) on, each group stays at min_lr_factor times its own rate.
    for lrs in after[3:]:
        assert lrs == pytest.approx([2e-4, 2e-5], rel=1e-9, abs=0)


def test_cosine_of_groups_sharing_a_rate_other_than_lr_decays_from_their_own():
    # Fine-tuning with head_lr = backbone_lr_factor * lr: both groups at 5e-4, optimizer.lr 1e-3.
    params = [torch.nn.Parameter(torch.ones(1)) for _ in range(2)]
    optimizer = torch.optim.SGD([{"params": [p], "lr": 5e-4} for p in params])
    scheduler = build_scheduler(optimizer, "cosine", total_steps=10, lr=1e-3, min_lr_factor=0.9)
    lrs = []
    for _ in range(10):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    assert all(a >= b for a, b in zip([5e-4, *lrs], lrs))
    assert lrs[-1] == pytest.approx(4.5e-4, rel=1e-9)


def test_plateau_cuts_after_more_than_patience_validations_without_improvement():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=1.0)
    scheduler = build_scheduler(optimizer, "plateau", total_steps=10, lr=1.0, plateau_factor=0.5, plateau_patience=2)
    lrs = []
    for loss in (1.0, 1.0, 1.0, 1.0):  # the best, then three validations without improvement
        scheduler.step(loss)
        lrs.append(optimizer.param_groups[0]["lr"])
    assert lrs == [1.0, 1.0, 1.0, 0.5]


def test_a_fine_tunings_cosine_state_from_before_the_per_group_schedule_resumes():
    # its groups shared 5e-4 (lr 1e-3): CosineAnnealingLR then, the per-group LambdaLR now
    def groups():
        return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.ones(1))], "lr": 5e-4} for _ in range(2)])

    before = groups()
    old = torch.optim.lr_scheduler.CosineAnnealingLR(before, T_max=10)
    for _ in range(4):
        before.step()
        old.step()
    after = groups()
    scheduler = build_scheduler(after, "cosine", total_steps=10, lr=1e-3)
    scheduler.load_state_dict(scheduler_state_for(scheduler, old.state_dict()))
    after.step()
    scheduler.step()
    assert after.param_groups[0]["lr"] == pytest.approx(5e-4 * 0.5 * (1 + math.cos(math.pi * 5 / 10)), rel=1e-12)
