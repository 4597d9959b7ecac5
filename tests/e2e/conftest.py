"""The end-to-end journeys: real processes, servers and browsers.

Each journey that runs on both backends keeps its SQLite run in the suite (the embedded default a
user's machine has) and makes its PostgreSQL run a long run (``slow``): CI runs those in its
second pass (``.ci/run``, ``-m slow``), so PostgreSQL still sees every journey there, while
``./scripts/test`` stays inside its time budget. The logic under these journeys runs on both
backends in tests/core, tests/plugins and tests/security.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)  # before tests/conftest.py turns the marker into a skip
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or HERE not in Path(str(item.path)).parents:
            continue
        if "postgres" in (callspec.params.get("backend"), callspec.params.get("cli_env")):
            item.add_marker(pytest.mark.slow)
