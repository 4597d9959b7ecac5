"""Fixtures of the data_governance tests (the patent folders, for checks that meet patents)."""

from tests.plugins.patent_search.conftest import imports  # noqa: F401
