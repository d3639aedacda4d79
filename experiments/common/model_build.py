"""The model of a run, built from the config's ``model`` section, and its check before any work.

``model.name`` picks the wrapper registered for the experiment's family; ``model.wrapper`` holds
the wrapper's options and ``model.net`` the net's (checked by
:func:`~experiments.common.net_config.build_net`). :func:`check_model_config` builds the model on
the CPU with stand-ins for the arguments that come from the data, so that a misspelt,
mistyped or out-of-range ``model.net`` or ``model.wrapper`` value stops the run before data are
read or generated.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from omegaconf import DictConfig, OmegaConf
from torch import nn

from experiments.common.config_schema import ConfigError
from experiments.common.net_config import CONSTRUCTOR_ERRORS, check_net_config
from experiments.registry import get_wrapper
from lorentznets.data.readers.errors import error_message

LOGGER = logging.getLogger(__name__)


def build_model(family: str, model_cfg: DictConfig, **task_kwargs: Any) -> nn.Module:
    """``Wrapper(net=<model.net>, **task_kwargs, **<model.wrapper>)`` for ``model.name`` in ``family``.

    ``model.wrapper`` is optional (null or absent: no options), since only some models' wrappers
    take settings (LLoCa frames, LGN's inputs).

    Raises
    ------
    ConfigError
        For a ``model.wrapper`` key the wrapper does not take or of the wrong type, what
        :func:`~experiments.common.net_config.build_net` finds in ``model.net``, and the
        wrapper's own refusals (``ValueError``, ``KeyError``: an option's value, an input the
        data do not have; and the other errors of
        :data:`~experiments.common.net_config.CONSTRUCTOR_ERRORS`), naming the wrapper.
    """
    wrapper = get_wrapper(family, model_cfg.name)
    net = _plain(model_cfg.get("net"))
    options = _plain(model_cfg.get("wrapper"))
    check_net_config(wrapper, options, 0, {"net", *task_kwargs}, prefix="model.wrapper.")
    try:
        return wrapper(net=net, **task_kwargs, **options)
    except ConfigError:
        raise
    except CONSTRUCTOR_ERRORS as error:
        message = error_message(error)
        raise ConfigError(f"model {model_cfg.name!r} cannot be built ({wrapper.__name__}): {message}") from error


def check_model_config(family: str, model_cfg: DictConfig, stand_ins: Mapping[str, Any]) -> None:
    """Build the model on the CPU to check its config (at most 0.2 s for the published sizes;
    the meta device would be free, but L-GATr's and LGN's constructors compute buffers).

    Parameters
    ----------
    family : str
        The experiment's wrapper family.
    model_cfg : DictConfig
        The ``model`` section.
    stand_ins : Mapping
        The task arguments of :func:`build_model`, from the config alone (a channel count that
        only the data know replaced by a representative one).

    Raises
    ------
    ConfigError
        What :func:`build_model` finds. Other errors are left to the build with the data's
        arguments, which reports them (with a stand-in, a net may meet a case its checks do not
        know).
    """
    try:
        build_model(family, model_cfg, **stand_ins)
    except ConfigError:
        raise
    except Exception as error:  # noqa: BLE001 (the build with the data's arguments reports it)
        LOGGER.debug("model check with stand-in arguments skipped: %s: %s", type(error).__name__, error)


def _plain(section: DictConfig | None) -> dict[str, Any]:
    """A config section as a plain dict (null or absent: empty)."""
    return OmegaConf.to_container(section, resolve=True) if section is not None else {}
