"""Benchmark tests marked ``slow`` run on demand: ``pytest -m slow tests/bench``."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this folder's slow tests unless the run selects them by marker (``-m slow``)."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="slow benchmark: run with -m slow")
    for item in items:
        if "slow" in item.keywords and "tests/bench/" in item.nodeid.replace("\\", "/"):
            item.add_marker(skip)
