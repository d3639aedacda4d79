"""The examples in the library's docstrings run and print what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lorentznets


def _modules_with_examples() -> list[str]:
    """The modules of ``lorentznets`` whose docstrings hold ``>>>`` examples that run (not all
    marked ``+SKIP``, e.g. those that need a public dataset)."""
    finder = doctest.DocTestFinder()
    names = []
    for info in pkgutil.walk_packages(lorentznets.__path__, "lorentznets."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        examples = (example for test in finder.find(module) for example in test.examples)
        if any(not example.options.get(doctest.SKIP) for example in examples):
            names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name):
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, report=True
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} fail (see above)"
