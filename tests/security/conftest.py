"""Fixtures of the security suite: settings overrides, an app per test, an SQL statement counter.

``@pytest.mark.settings(rate_limit_user="3/minute", ...)`` on a test overrides fields of the
per-backend ``settings`` of ``tests/conftest.py``; ``app_client`` is a GraphQL client over the
real Litestar app (ASGI) built from them; ``sql`` counts the statements the platform sends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from ipgov.settings import Settings
from tests.conftest import GraphQLClient


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "settings(**fields): override platform settings")


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The backend's settings with the test's ``@pytest.mark.settings(...)`` applied."""
    marker = request.node.get_closest_marker("settings")
    return dataclasses.replace(settings, **marker.kwargs) if marker else settings


class StatementCounter:
    """Counts SQL statements on an engine between ``reset()`` and ``count``."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.statements.clear()

    @property
    def count(self) -> int:
        """Statements since the last reset."""
        return len(self.statements)


@pytest.fixture
def sql(platform: Any) -> Iterator[StatementCounter]:
    """Every SQL statement the platform's engines execute."""
    counter = StatementCounter()
    engines = [e.sync_engine for e in platform.db.engines]  # app and system roles
    for engine in engines:
        event.listen(engine, "before_cursor_execute", counter)
    yield counter
    for engine in engines:
        event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture
async def app_client(platform: Any) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client over the real app; ``client.client`` is the raw ``httpx`` client."""
    from ipgov.web.app import create_app

    app = create_app(platform)  # no policy watcher: its polling would add statements
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://ipgov.test") as client:
        yield GraphQLClient(client)


def codes(body: Any) -> list[str]:
    """The ``extensions.code`` of every error of a GraphQL response body."""
    if isinstance(body, list):
        return [c for item in body for c in codes(item)]
    return [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
