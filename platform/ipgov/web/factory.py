"""The application of one ``ipgov serve`` worker process, built from the environment.

``ipgov serve --processes N`` hands uvicorn this factory (an import string, as uvicorn's own
worker processes need): each process builds its own platform (database pools, policy watcher,
revocation follower, embedded workers) from the same ``IPGOV_*`` settings. What must be shared
across processes is: the database (every decision reads it), the policy version (each
process's watcher follows it), and, for rate limits that hold across processes, the Redis
store of ``IPGOV_RATE_LIMIT_STORAGE`` (in memory each process counts alone: a caller gets up
to N times the limit, documented in docs/operations.md)."""

from __future__ import annotations

from litestar import Litestar

from ipgov.settings import get_settings
from ipgov.startup import build_platform

from .app import create_app

__all__ = ["app_from_environment"]


def app_from_environment() -> Litestar:
    """A new platform and its application (migrations ran once, in the parent process)."""
    return create_app(build_platform(get_settings()))
