"""Every tagging wrapper names its head: all parameters whose shape depends on the number of
classes lie in it, and the backbone is not empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

import experiments.tagging.experiment  # noqa: F401 - registers the tagging wrappers
from experiments.registry import get_wrapper, wrappers_for

CONFIG = Path(__file__).resolve().parents[3] / "config" / "model"


def _build(name: str, out_channels: int):
    model = OmegaConf.load(CONFIG / f"{name}.yaml")
    options = OmegaConf.to_container(model.wrapper, resolve=True) if model.get("wrapper") is not None else {}
    net = OmegaConf.to_container(model.net, resolve=True)
    return get_wrapper("tagging", name)(net=net, out_channels=out_channels, num_scalars=0, **options)


@pytest.mark.parametrize("name", sorted(wrappers_for("tagging")))
def test_head_holds_every_class_dependent_parameter(name):
    binary, three = dict(_build(name, 1).named_parameters()), dict(_build(name, 3).named_parameters())
    prefixes = type(_build(name, 1)).head_prefixes
    class_dependent = {key for key in binary if binary[key].shape != three[key].shape}
    head = {key for key in binary if key.startswith(prefixes)}
    assert class_dependent and class_dependent <= head
    assert all(any(key.startswith(prefix) for key in head) for prefix in prefixes)
    assert len(head) < len(binary)
