"""Contract tests run against every loaded plugin, partner plugins included.

Partner distributions named in ``IPGOV_CONTRACT_PLUGINS`` (or the example partner when it is
not installed) are built into a temporary directory put first on ``sys.path`` before any test
builds a platform, so they load like installed plugins while the environment stays as it was
(see ``tests/contract/isolated.py``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.contract.isolated import install_isolated, put_first_on_path, requested_distributions


def pytest_configure(config: pytest.Config) -> None:
    wanted = requested_distributions()
    if not wanted:
        return
    base = Path(tempfile.mkdtemp(prefix="ipgov-contract-plugins-"))
    config.add_cleanup(lambda: shutil.rmtree(base, ignore_errors=True))
    target = base / "site"
    for distribution in wanted:
        install_isolated(distribution, target)
    put_first_on_path(target)
