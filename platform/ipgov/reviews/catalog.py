"""Which checks a review runs: the core's own and those of the plugins enabled for the tenant.

The checks are collected and validated once, at start-up, in the plugin catalog
(``platform.catalog``, ipgov/plugins/catalog.py); a review only selects from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .checks import Check

if TYPE_CHECKING:
    from ipgov.runtime import Platform

__all__ = ["checks_for"]


def checks_for(platform: Platform, enabled_plugins: Iterable[str]) -> list[tuple[str, Check]]:
    """The checks a review of a tenant with these plugins enabled runs, sorted by id."""
    return platform.catalog.checks_for(enabled_plugins)
