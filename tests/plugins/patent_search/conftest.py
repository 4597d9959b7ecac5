"""Fixtures of the patent_search tests."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parents[3] / "plugins" / "patent_search" / "demo_data"
SHARED = Path(__file__).parents[4] / "shared" / "data" / "patents"


@pytest.fixture
def imports(monkeypatch, platform):
    """The demo data and the shared data folders are import folders of the test platform
    (and of platforms it builds later, e.g. the command line's)."""
    monkeypatch.setenv("IPGOV_PATENT_IMPORT_DIRS", f"{DATA}:{SHARED}")
    platform.plugin_config.replace("patent_search", import_dirs=f"{DATA}:{SHARED}")
