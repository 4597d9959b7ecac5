"""Value types that cross the plugin boundary (arguments and results of hooks)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ipgov.plugins.context import PlatformContext

__all__ = [
    "API_VERSION",
    "AssistantTool",
    "CalendarEntry",
    "DemoContext",
    "FrameworkCatalog",
    "GraphQLContribution",
    "IpObject",
    "JobKind",
    "PlatformEvent",
    "TextMatch",
    "TextPassage",
    "Permission",
    "PluginInfo",
    "SupervisionMetric",
    "TenantEvent",
]

API_VERSION = 1
"""The plugin API's major version. Plugins declare the one they were written for."""


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says of itself: the ``PLUGIN_INFO`` attribute of its hooks module."""

    name: str
    version: str
    api_version: int
    description: str = ""
    default_enabled: bool = True


@dataclass(frozen=True)
class Permission:
    """An object type a plugin protects and the actions on it, e.g. ``ip_governance:risk``."""

    object: str
    actions: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class AssistantTool:
    """A tool AI assistants may call (``ipgov mcp``, ``/mcp``): one named GraphQL operation of
    the public API, run as the caller with the same authorization, tenant scoping and limits.

    ``name`` is ``snake_case`` and unique across the core and every plugin; ``kind`` is
    ``read`` (a query) or ``write`` (a mutation, which needs a ``$tenantId`` variable: writes
    can be disabled per tenant); ``description`` holds the text in ``en`` and ``zh-CN``. The
    tool's input schema is derived from the operation's variables and the schema's argument
    descriptions. Load them from YAML with ``ipgov.api.load_assistant_tools``.
    """

    name: str
    kind: str
    description: dict[str, str]
    operation: str
    source: str = ""  # the file it came from, for error messages


@dataclass
class GraphQLContribution:
    """Strawberry types a plugin adds to the root Query and Mutation, and the assistant tools
    (named operations over them) it offers."""

    query: list[type] = field(default_factory=list)
    mutation: list[type] = field(default_factory=list)
    types: list[type] = field(default_factory=list)
    tools: list[AssistantTool] = field(default_factory=list)


@dataclass
class TenantEvent:
    """Passed to tenancy hooks: the tenant, its group, the session and the acting user."""

    session: AsyncSession
    tenant_id: str
    group_id: str | None
    governance_mode: str
    actor: str
    other_tenant_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoContext:
    """Passed to ``load_demo_data``: the demo's session, tenants by slug, users by email."""

    session: AsyncSession
    tenants: dict[str, str]
    users: dict[str, str]
    actor: str = "demo"
    data_dir: str = ""
    platform: PlatformContext | None = None  # the running platform (search indexes, settings)
    baselines: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    """Group baselines the plugin's demo wants: ``(group slug, role, object, action,
    effect)``; the core adds each with ``apply_to_subsidiaries`` after the hook returns."""


@dataclass(frozen=True)
class SupervisionMetric:
    """A per-tenant figure for the supervision view (hook ``register_supervision_metrics``).

    ``compute(session, tenant_id)`` receives a read-only session scoped to that one tenant and
    returns a number (or an awaitable of one); ``None`` means "not measured". ``key`` starts
    with the plugin's name (``data_governance.classified_assets``).
    """

    key: str
    title: str
    compute: Callable[[AsyncSession, str], Any]
    description: str = ""
    title_zh: str = ""


@dataclass(frozen=True)
class FrameworkCatalog:
    """A governance framework shipped as a data file (hook ``register_framework_catalogs``).

    ``path`` is an ``ipgov-framework/1`` YAML file (docs/framework-format.md); ``id`` is the
    framework's id inside it. Every tenant sees contributed frameworks as built-in ones.
    """

    id: str
    path: Path
    title: str = ""


@dataclass(frozen=True)
class JobKind:
    """A job kind with options; ``register_jobs`` may return a bare handler instead.

    ``every`` makes the core scheduler enqueue the job once per period for every active tenant
    that has the plugin enabled (one job per tenant and period, whatever the number of
    schedulers); ``params`` are the parameters of those scheduled jobs. ``only_for(platform,
    tenant_ids)`` narrows them to the tenants that have something to do (say, a connector
    set up): it receives those candidates and returns the ones to schedule; without it every
    candidate gets a job each period.
    """

    handler: Callable[[Any], Awaitable[Any]]
    every: timedelta | None = None
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    only_for: Callable[[Any, list[str]], Awaitable[Iterable[str]]] | None = None


@dataclass(frozen=True)
class PlatformEvent:
    """Something that happened in a tenant, raised by a plugin (or the core)."""

    tenant_id: str
    kind: str
    event_id: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IpObject:
    """An IP right or asset a plugin holds for a tenant (hook ``list_ip_objects``).

    ``kind`` is one of ``patent``, ``application``, ``trade_secret``, ``trademark``,
    ``copyright``, ``software``, ``other``; ``ref`` is how people name it (a canonical
    publication number, a register code); ``plugin`` names the holder. ``(plugin, id)`` is the
    stable key another plugin stores to link to the object.
    """

    plugin: str
    id: str
    tenant_id: str
    kind: str
    ref: str
    title: str
    status: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TextPassage:
    """One passage of a screened text matched with one passage of a stored document."""

    text: str  # the passage of the submitted text
    matched: str  # the passage of the stored document (claim, abstract sentence, ...)
    where: str  # which part of the stored document: "claim 3", "abstract", "content"
    score: float  # 0..1, higher is closer
    start: int = 0  # character offset of ``text`` in the submitted text
    end: int = 0


@dataclass(frozen=True)
class TextMatch:
    """A stored document that a screened text resembles (hook ``screen_text``).

    ``requires`` is the permission ``(object, action)`` a reader needs to learn anything of the
    match beyond its existence (e.g. the clearance for a trade secret's level): callers of
    ``ipgov.api.screen_text`` without it get :meth:`withheld_copy` instead, so a closeness
    score can never serve as an oracle for a protected record.
    """

    plugin: str
    object_kind: str  # "patent", "trade_secret", ...
    object_id: str
    ref: str
    title: str
    score: float  # 0..1, higher is closer
    passages: tuple[TextPassage, ...] = ()
    risk: str = ""  # "secret_disclosure", "third_party_text", ... as the plugin names the risk
    requires: tuple[str, str] | None = None
    withheld: bool = False  # True: a protected record matched; nothing else is told

    def withheld_copy(self) -> TextMatch:
        """The match as a reader below ``requires`` sees it: that a protected record of this
        kind matched, with no id, title, score or passage."""
        return TextMatch(plugin=self.plugin, object_kind=self.object_kind, object_id="",
                         ref="", title="", score=0.0, risk=self.risk, requires=self.requires,
                         withheld=True)


@dataclass(frozen=True)
class CalendarEntry:
    """One date in a user's calendar feed (hook ``calendar_entries``).

    ``uid`` is stable and unique across plugins (``<plugin>.<kind>.<id>``): calendars update
    the entry instead of adding another. ``on`` is the day (an all-day entry); ``object_type``
    is the permission object the reader must hold ``read`` on, in the entry's tenant, to see
    it; ``path`` is the workspace path that opens it inside its tenant (``/x/<plugin>/...``:
    the core puts ``/t/<tenant slug>`` before it, and the tenant's slug before the title)."""

    uid: str
    title: str
    on: date
    object_type: str
    description: str = ""
    path: str = ""
