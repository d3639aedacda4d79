"""Registries of experiments and of model wrappers, filled by decorators.

Experiments
-----------
Every experiment package ``experiments/<pkg>/`` defines its classes in
``experiments/<pkg>/experiment.py`` and registers them by name::

    from experiments.registry import register_experiment

    @register_experiment("toptagging")
    class TopTaggingExperiment(BaseExperiment): ...

The config key ``experiment`` selects the class: ``run.py`` calls :func:`get_experiment`, which
imports every ``experiments/*/experiment.py`` module on first use (so no central list needs
editing) and returns the class. A dotted ``"package.module:ClassName"`` also works for
experiments living outside this package.

Wrappers
--------
A wrapper adapts a generic library net to one family of experiments (embedding the task's
inputs, pooling the outputs). Wrappers are registered per family (the experiment package name,
e.g. ``"tagging"``) and model name (``cfg.model.name``)::

    from experiments.registry import register_wrapper

    @register_wrapper("tagging", "pelican")
    class PELICANTaggingWrapper(nn.Module): ...

Each family keeps its own wrappers in ``experiments/<family>/wrappers.py``; other authors add
theirs in separate modules ``experiments/<family>/wrappers_<model>.py`` so nobody edits a shared
file. ``experiments/<family>/wrappers.py`` exposes the family's live ``{model name: class}``
dict as ``WRAPPERS = wrapper_registry("<family>")``. Experiments pick a wrapper with
:func:`get_wrapper` (``BaseExperiment.build_wrapper(family, ...)`` does it for
``cfg.model.name``), never with an if/elif chain: it imports ``wrappers.py`` and every
``wrappers_*.py`` of the family, and a module that fails to import only disables its own
models (the error is reported when one of them is requested). :func:`wrappers_for` returns
the filled registry.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_EXPERIMENTS: dict[str, type] = {}
_WRAPPERS: dict[str, dict[str, type]] = {}
_PACKAGE_DIR = Path(__file__).resolve().parent


def register_experiment(name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator registering an experiment under ``name`` (the config's ``experiment``)."""

    def decorator(cls: type[T]) -> type[T]:
        if name in _EXPERIMENTS and _EXPERIMENTS[name] is not cls:
            raise ValueError(f"experiment name {name!r} is registered twice: {_EXPERIMENTS[name]} and {cls}")
        _EXPERIMENTS[name] = cls
        return cls

    return decorator


def _experiment_modules() -> list[str]:
    return [
        f"experiments.{info.name}.experiment"
        for info in pkgutil.iter_modules([str(_PACKAGE_DIR)])
        if info.ispkg and (_PACKAGE_DIR / info.name / "experiment.py").is_file()
    ]


def _import_experiment_modules(name: str | None = None) -> dict[str, str]:
    """Import experiment modules; return import errors by module.

    With ``name``, only modules whose source mentions ``register_experiment("<name>")`` are
    imported (cheap: experiments pull in heavy dependencies), falling back to all of them.
    """
    modules = _experiment_modules()
    if name is not None:
        marker = f'register_experiment("{name}")'
        mentioning = [
            module
            for module in modules
            if marker in (_PACKAGE_DIR / module.split(".")[1] / "experiment.py").read_text()
        ]
        modules = mentioning or modules
    errors: dict[str, str] = {}
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as error:  # a broken experiment must not hide the working ones
            errors[module] = f"{error.__class__.__name__}: {error}"
    return errors


class UnsafeImportError(ImportError):
    """A ``module:Class`` experiment whose source lies inside a run folder (shared data, not code)."""


def _inside_run_folder(path: Path) -> bool:
    """Whether ``path`` is inside a ``runs/`` tree or a run directory (one holding ``config.yaml``
    and ``models/`` or ``checkpoints/``)."""
    for folder in path.resolve().parents:
        if folder.name == "runs":
            return True
        if (folder / "config.yaml").is_file() and ((folder / "models").is_dir() or (folder / "checkpoints").is_dir()):
            return True
    return False


def _import_object(path: str) -> Any:
    module_name, _, attribute = path.partition(":")
    # Package by package: find_spec("a.b") imports the package "a" (running its __init__), so each
    # enclosing package is checked before anything inside it is looked up.
    parts = module_name.split(".")
    for depth in range(1, len(parts) + 1):
        _refuse_run_folder_code(path, ".".join(parts[:depth]))
    module = importlib.import_module(module_name)
    if not hasattr(module, attribute):
        raise KeyError(f"module {module_name!r} has no attribute {attribute!r}")
    return getattr(module, attribute)


def _refuse_run_folder_code(path: str, module_name: str) -> None:
    """Raise unless ``module_name`` can be found and its source lies outside run folders; only
    its enclosing packages are imported (they have been checked)."""
    try:
        spec = importlib.util.find_spec(module_name)
    except (ImportError, ValueError) as error:
        raise KeyError(f"experiment {path!r}: cannot find module {module_name!r} ({error})") from None
    if spec is None:
        raise KeyError(f"experiment {path!r}: no module named {module_name!r} on the Python path")
    origin = spec.origin if spec.origin not in (None, "namespace") else None
    locations = [Path(origin)] if origin else [Path(p) for p in spec.submodule_search_locations or ()]
    unsafe = [str(location) for location in locations if _inside_run_folder(location)]
    if unsafe:
        raise UnsafeImportError(
            f"refused to import experiment {path!r} from {unsafe[0]}: code inside a run folder is never imported "
            "(run folders are shared data); install or place your experiment module outside runs/"
        )


def get_experiment(name: str) -> type:
    """Return the experiment class registered as ``name`` or given as ``"module:Class"``.

    Raises
    ------
    KeyError
        If no experiment of that name exists; lists the registered names and any experiment
        module that failed to import.
    """
    if ":" in name:
        return _import_object(name)
    errors: dict[str, str] = {}
    if name not in _EXPERIMENTS:
        errors = _import_experiment_modules(name)
    if name not in _EXPERIMENTS:
        errors = _import_experiment_modules()
    if name not in _EXPERIMENTS:
        detail = "".join(f"\n  {module}: {error}" for module, error in errors.items())
        raise KeyError(
            f"unknown experiment {name!r}; registered: {sorted(_EXPERIMENTS)}"
            + (f"; modules that failed to import:{detail}" if detail else "")
        )
    return _EXPERIMENTS[name]


def available_experiments() -> list[str]:
    """Names of all registered experiments (after importing every experiment module)."""
    _import_experiment_modules()
    return sorted(_EXPERIMENTS)


def register_wrapper(family: str, name: str) -> Callable[[type[T]], type[T]]:
    """Class decorator registering a wrapper for model ``name`` in experiment ``family``."""

    def decorator(cls: type[T]) -> type[T]:
        registered = _WRAPPERS.setdefault(family, {})
        if name in registered and registered[name] is not cls:
            raise ValueError(f"wrapper {family}/{name} is registered twice: {registered[name]} and {cls}")
        registered[name] = cls
        return cls

    return decorator


def wrapper_registry(family: str) -> dict[str, type]:
    """The live ``{model name: wrapper class}`` dict of ``family``, without importing anything
    (``experiments/<family>/wrappers.py`` exposes it as ``WRAPPERS``)."""
    return _WRAPPERS.setdefault(family, {})


def _import_wrapper_modules(family: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    for info in pkgutil.iter_modules([str(_PACKAGE_DIR / family)]):
        if info.name == "wrappers" or info.name.startswith("wrappers_"):
            module = f"experiments.{family}.{info.name}"
            try:
                importlib.import_module(module)
            except Exception as error:  # one broken wrapper must not disable the others
                errors[module] = f"{error.__class__.__name__}: {error}"
    return errors


def wrappers_for(family: str) -> dict[str, type]:
    """Import ``experiments.<family>.wrappers`` and every ``experiments.<family>.wrappers_*``
    and return the family's live ``{model name: wrapper class}`` registry.

    Modules that fail to import are skipped; :func:`get_wrapper` reports them.
    """
    _import_wrapper_modules(family)
    return wrapper_registry(family)


def get_wrapper(family: str, name: str) -> type:
    """Return the wrapper class for model ``name`` in experiment ``family``.

    Raises
    ------
    KeyError
        If none is registered; lists the available models and wrapper modules that failed to
        import.
    """
    errors = _import_wrapper_modules(family)
    registry = wrapper_registry(family)
    if name not in registry:
        detail = "".join(f"\n  {module}: {error}" for module, error in errors.items())
        raise KeyError(
            f"no {family} wrapper for model {name!r}; available: {sorted(registry)}"
            + (f"; wrapper modules that failed to import:{detail}" if detail else "")
        )
    return registry[name]
