"""The public surface of ipgov for plugins: import from here, and from nowhere else in ipgov.

Plugins (first-party and partner alike) use only these names, the way pytest plugins import
``pytest`` and never ``_pytest``. Everything here is covered by the plugin API version
``API_VERSION``; a breaking change bumps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from ipgov.db.base import Base, TenantScoped, new_id, utcnow
from ipgov.db.integrity import declare_constraint, insert_or_existing
from ipgov.db.scope import TenantScope, TenantScopeError
from ipgov.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from ipgov.events.catalog import EventType
from ipgov.events.record import recorded_keys
from ipgov.events.schemas import event_field, event_payload
from ipgov.graphql.errors import UserError, user_errors
from ipgov.graphql.errors import localized as localized_message
from ipgov.graphql.pagination import (
    Connection,
    Edge,
    PageInfo,
    check_page_size,
    decode_cursor,
    encode_cursor,
    paginate,
)
from ipgov.graphql.permissions import (
    authenticated,
    check_permission,
    public,
    requires,
    requires_any,
)
from ipgov.i18n import bounds
from ipgov.jobs import Job, JobContext, JobKind, enqueue_job
from ipgov.jobs import run_job_inline as _run_job_inline
from ipgov.plugins.context import (
    AuditRecord,
    PlatformContext,
    RecordedEvent,
    SessionContext,
    TenantDirectory,
    TenantRecord,
)
from ipgov.plugins.contracts import (
    API_VERSION,
    AssistantTool,
    CalendarEntry,
    DemoContext,
    GraphQLContribution,
    IpObject,
    Permission,
    PluginInfo,
    SupervisionMetric,
    TenantEvent,
    TextMatch,
    TextPassage,
)
from ipgov.plugins.hookspecs import hookimpl
from ipgov.plugins.tools import load_assistant_tools
from ipgov.reviews.checks import (
    Check,
    CheckContext,
    FindingDraft,
    FindingText,
    Function,
    GovernanceDomain,
    NotAssessed,
    Severity,
    localized,
)
from ipgov.reviews.events import PlatformEvent, emit_event
from ipgov.reviews.models import Directive, Finding, ReviewRun
from ipgov.reviews.reading import (
    METHOD_TEXT as SCORE_METHOD_TEXT,
)
from ipgov.reviews.reading import (
    directive_action,
    enum_label,
    finding_references,
    finding_texts,
    score_summary,
    score_views,
)
from ipgov.settings import (
    PluginConfig,
    PluginSetting,
    PluginSettingError,
    PluginSettings,
    UndeclaredSetting,
)
from ipgov.tenancy.decisions import decide_escalation, deciding_tenant, escalate_if_reserved
from ipgov.tenancy.directory import TenantInfo
from ipgov.tenancy.modes import GovernanceMode
from ipgov.validation import FieldErrors, clean_text, filter_value, in_range, one_of, required
from ipgov.web.guards import authorize_request

# isort: split
# --- the GraphQL kit (ipgov.graphql.kit): pages, audited mutations, inputs, rows to types ---
from ipgov.graphql.kit import (
    actor_field,
    column_key,
    errors_as_data,
    input_values,
    max_page_size,
    mutate,
    page_in,
    row_mapper,
    tenant_page,
    to_type,
    validate,
)

# --- end of the GraphQL kit block ---

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from ipgov.runtime import Platform


def _core(platform: PlatformContext) -> Platform:
    """The running platform behind ``platform`` (calls into hooks need its plugin registry)."""
    from ipgov.runtime import Platform

    if not isinstance(platform, Platform):
        raise TypeError(f"expected the running platform, got {type(platform).__name__}")
    return platform


def tenant_info(platform: PlatformContext, tenant_id: str) -> TenantRecord | None:
    """What the platform knows of a tenant (slug, parent_id, root_id, governance_mode, status,
    enabled_plugins), from memory; ``None`` for an unknown id. Same as
    ``platform.tenants.info(tenant_id)``."""
    return platform.tenants.info(tenant_id)


def lineage(platform: PlatformContext, tenant_id: str) -> list[TenantRecord]:
    """The tenant, its parent, ... up to its group root (each as ``tenant_info`` returns)."""
    info = platform.tenants.info(tenant_id)
    return [info, *platform.tenants.ancestors(tenant_id)] if info is not None else []


def descendants(platform: PlatformContext, tenant_id: str) -> list[TenantRecord]:
    """Every tenant below ``tenant_id`` (any depth; each as ``tenant_info`` returns), for
    group-level views such as duplicate purchases across a group. Authorize per tenant."""
    return list(platform.tenants.descendants(tenant_id))


def resolve_plugin_settings(plugin: str, declared: Iterable[PluginSetting],
                            environ: Mapping[str, str]) -> PluginSettings:
    """``plugin``'s settings read from ``environ`` as the platform reads them at start-up,
    for code that runs without a platform (benches, tools); ``PluginSettingError``."""
    return PluginConfig.resolve({plugin: list(declared)}, environ).of(plugin)


def process_plugin_settings(plugin: str, declared: Iterable[PluginSetting]) -> PluginSettings:
    """``plugin``'s settings from this process's environment, read and checked as at start-up,
    for a plugin command that runs without a platform (``ipgov patents ingest --dry-run``)."""
    import os

    return resolve_plugin_settings(plugin, declared, os.environ)


async def run_job_inline(platform: PlatformContext, *, tenant_id: str, kind: str,
                         params: dict[str, Any] | None = None, actor: str = "cli",
                         idempotency_key: str | None = None,
                         on_progress: Callable[[int, int | None, str], None] | None = None
                         ) -> Job:
    """Enqueue a job and run it right here (commands, demo data, tests); returns the finished
    row. ``on_progress(done, total, message)`` sees each progress report."""
    return await _run_job_inline(_core(platform), tenant_id=tenant_id, kind=kind, params=params,
                                 actor=actor, idempotency_key=idempotency_key,
                                 on_progress=on_progress)


def cli_command(fn: Callable[..., Any]) -> Any:
    """Decorator for a plugin's click command: the body is ``async def body(platform,
    **options)`` and runs with a platform built from the settings (domain errors exit 1 with
    their code and message)."""
    from ipgov.cli.common import async_command

    return async_command(fn)


def cli_progress(message: str) -> None:
    """Print a progress line on stderr (stdout stays machine-readable)."""
    from ipgov.cli.common import progress

    progress(message)


def tenant_by_ref(platform: PlatformContext, ref: str) -> TenantRecord:
    """The tenant (as ``tenant_info`` returns) whose slug or id is ``ref``; ``NotFound``."""
    found = platform.tenants.info(ref)
    if found is not None:
        return found
    for info in _core(platform).authz.directory.values():
        if info.slug == ref:
            return cast("TenantRecord", info)
    raise NotFound(f"no tenant with slug or id {ref!r}", code="TENANT_NOT_FOUND")


def negotiate_locale(request: Any, principal: Any = None, explicit: str | None = None) -> str:
    """The language to answer an HTTP request in (``en`` or ``zh-CN``): an explicit choice
    (``?lang=``), else the user's stored preference, else ``Accept-Language``, else English."""
    from ipgov.i18n import negotiate
    from ipgov.i18n.negotiation import normalize

    chosen: str = normalize(explicit) or negotiate(request.headers.get("accept-language"),
                                                   getattr(principal, "locale", None) or None)
    return chosen


def current_platform() -> PlatformContext:
    """The platform running the current review check or job (``info.context.platform`` in
    resolvers)."""
    from ipgov.runtime import current_platform as _current

    return _current()


def tenant_session(platform: PlatformContext, tenant_id: str, *,
                   readonly: bool = False) -> SessionContext:
    """An async context manager: a database session bound to one tenant.

    The core filters every ORM statement on ``TenantScoped`` models to the tenant (and, on
    PostgreSQL, row-level security holds the same line) and stamps ``tenant_id`` on new rows.
    The session commits when the block succeeds, rolls back when it raises; ``readonly``
    sessions never commit and never wait for writers. Same as ``platform.tenant_session``
    and ``platform.read_session``. Resolvers use ``info.context.session(tenant_id)``.
    """
    if readonly:
        return platform.read_session(tenant_id)
    return platform.tenant_session(tenant_id)


def tenants_session(platform: PlatformContext, tenant_ids: Iterable[str], reason: str, *,
                    readonly: bool = False) -> SessionContext:
    """Like ``tenant_session`` over several tenants, e.g. a tenant and its group (settings a
    group imposes) or collections shared with it. ``reason`` says why; authorize the caller
    for every tenant first."""
    return platform.tenants_session(tenant_ids, reason, readonly=readonly)


AUDIT_ACTION_MAX = 120
AUDIT_OBJECT_MAX = 200


async def record_audit(platform: PlatformContext, session: AsyncSession, *, tenant_id: str,
                       actor: str, action: str, object_type: str, object_id: str = "",
                       details: dict[str, Any] | None = None) -> str:
    """Append an event to ``tenant_id``'s tamper-evident audit trail; returns its id.

    Pass the session of the write being audited, so the write and its event commit together
    (or neither does). ``object_type`` is one of the plugin's permission objects
    (``acme_docket:deadline``) and ``action`` starts with the same plugin name and a dot
    (``acme_docket.deadline.created``); ``details`` is a JSON object (what changed, before and
    after). ``actor`` is ``info.context.actor`` in a resolver, ``ctx.actor`` in a job,
    ``event.actor`` in a hook. A malformed call raises ``ValueError`` (a bug in the plugin,
    not the user's input).
    """
    plugin = object_type.split(":", 1)[0]
    if ":" not in object_type or not action.startswith(f"{plugin}."):
        raise ValueError(f"audit action {action!r} must start with {plugin!r} + '.', the plugin "
                         f"of object type {object_type!r} ('<plugin>:<object>')")
    if len(action) > AUDIT_ACTION_MAX or len(object_type) > AUDIT_ACTION_MAX:
        raise ValueError(f"audit action and object type are at most {AUDIT_ACTION_MAX} "
                         "characters")
    if len(object_id) > AUDIT_OBJECT_MAX or not isinstance(details, dict | None):
        raise ValueError(f"object_id is at most {AUDIT_OBJECT_MAX} characters and details a "
                         "dict")
    event = await platform.audit(session, tenant_id=tenant_id, actor=actor, action=action,
                                 object_type=object_type, object_id=object_id,
                                 details=details)
    return event.id


async def record_event(platform: PlatformContext, session: AsyncSession, *, tenant_id: str,
                       type: str, payload: Mapping[str, Any], actor: str, object_id: str = "",
                       severity: str | None = None,
                       idempotency_key: str | None = None) -> RecordedEvent | None:
    """Record an event of a declared type (``register_event_types``) in ``session``'s
    transaction: it commits with the change it reports or not at all, and is sent to the
    event consumers (notifications, event-triggered reviews) after the commit. Returns the
    event (its ``id`` is the event id), or None when ``idempotency_key`` was recorded already
    for the tenant. An unknown type, a payload that does not validate against the type's
    schema or a bad ``severity`` raise ``ValueError`` naming the type and the field. Same as
    ``platform.record_event``; docs/events.md lists every type."""
    return await platform.record_event(session, tenant_id=tenant_id, type=type,
                                       payload=payload, actor=actor, object_id=object_id,
                                       severity=severity, idempotency_key=idempotency_key)


async def _call_enabled(platform: PlatformContext, hook: str, tenant_id: str,
                        **kwargs: Any) -> list[Any]:
    from ipgov.plugins.manager import call_and_await

    info = platform.tenants.info(tenant_id)
    if info is None:
        raise NotFound(f"tenant {tenant_id} not found", code="TENANT_NOT_FOUND")
    caller = _core(platform).registry.hook_for(hook, info.enabled_plugins)
    results = await call_and_await(caller(platform=platform, tenant_id=tenant_id, **kwargs))
    return [item for result in results if result for item in result]


async def list_ip_objects(platform: PlatformContext, tenant_id: str, *,
                          kinds: list[str] | None = None, ids: list[str] | None = None,
                          limit: int = 500) -> list[IpObject]:
    """IP objects every enabled plugin holds for ``tenant_id`` (hook ``list_ip_objects``).

    Authorize the caller for the tenant before calling; ``limit`` applies per plugin."""
    limit = max(1, min(int(limit), 5000))
    return await _call_enabled(platform, "list_ip_objects", tenant_id, kinds=kinds, ids=ids,
                               limit=limit)


async def screen_text(platform: PlatformContext, tenant_id: str, text: str, *,
                      limit: int = 20, subject: str | None = None,
                      reveal_protected: bool = False) -> list[TextMatch]:
    """Matches of ``text`` in every enabled plugin's stores (hook ``screen_text``), best first.

    A match that names a permission (``TextMatch.requires``) comes back as its
    ``withheld_copy()`` unless ``subject`` (the caller's principal subject) holds that
    permission in ``tenant_id``: safe by default. ``reveal_protected=True`` is for a caller
    that keeps the full evidence and checks every reader itself (data_governance's
    pre-publication check)."""
    limit = max(1, min(int(limit), 200))
    matches: list[TextMatch] = await _call_enabled(platform, "screen_text", tenant_id,
                                                   text=text, limit=limit)
    ranked = sorted(matches, key=lambda m: -m.score)
    if reveal_protected:
        return ranked
    return [m if m.requires is None or (subject is not None and platform.allowed(
        subject, tenant_id, *m.requires)) else m.withheld_copy() for m in ranked]


__all__ = [
    "API_VERSION",
    "AssistantTool",
    "load_assistant_tools",
    "GovernanceMode", "TenantInfo",
    "Base",
    "bounds",
    "Check",
    "Directive",
    "Finding",
    "CheckContext",
    "FindingDraft",
    "FindingText",
    "NotAssessed",
    "localized",
    "localized_message",
    "SCORE_METHOD_TEXT",
    "directive_action",
    "enum_label",
    "finding_references",
    "finding_texts",
    "score_summary",
    "score_views",
    "Function",
    "GovernanceDomain",
    "Severity",
    "Conflict",
    "DemoContext",
    "Connection",
    "DomainError",
    "Edge",
    "Forbidden",
    "GraphQLContribution",
    "InvalidInput",
    "Job",
    "JobContext",
    "JobKind",
    "enqueue_job",
    "run_job_inline",
    "IpObject",
    "TextMatch",
    "TextPassage",
    "list_ip_objects",
    "current_platform",
    "negotiate_locale",
    "cli_command",
    "cli_progress",
    "tenant_by_ref",
    "descendants",
    "screen_text",
    "NotFound",
    "PageInfo",
    "Permission",
    "CalendarEntry",
    "PlatformEvent",
    "PlatformContext",
    "PluginSetting",
    "PluginSettingError",
    "PluginSettings",
    "UndeclaredSetting",
    "process_plugin_settings",
    "resolve_plugin_settings",
    "AuditRecord",
    "SessionContext",
    "TenantDirectory",
    "TenantRecord",
    "PluginInfo",
    "ReviewRun",
    "SupervisionMetric",
    "TenantEvent",
    "TenantScope",
    "TenantScopeError",
    "TenantScoped",
    "UserError",
    "authenticated",
    "authorize_request",
    "check_permission",
    "FieldErrors",
    "check_page_size",
    "clean_text",
    "decode_cursor",
    "encode_cursor",
    "filter_value",
    "in_range",
    "one_of",
    "required",
    "decide_escalation",
    "declare_constraint",
    "insert_or_existing",
    "deciding_tenant",
    "emit_event",
    "EventType",
    "event_field",
    "event_payload",
    "record_event",
    "recorded_keys",
    "RecordedEvent",
    "escalate_if_reserved",
    "hookimpl",
    "lineage",
    "new_id",
    "paginate",
    "public",
    "record_audit",
    "requires",
    "requires_any",
    "tenant_info",
    "tenant_session",
    "tenants_session",
    "user_errors",
    "utcnow",
    # the GraphQL kit
    "actor_field",
    "column_key",
    "errors_as_data",
    "input_values",
    "max_page_size",
    "mutate",
    "page_in",
    "row_mapper",
    "tenant_page",
    "to_type",
    "validate",
]


# ---------------------------------------------------------------------------------------------
# The plugin catalog (issue 21: one catalog built at start-up)
# ---------------------------------------------------------------------------------------------

from ipgov.plugins.contracts import FrameworkCatalog  # noqa: E402


def framework_catalogs(platform: Any) -> list[FrameworkCatalog]:
    """Every framework file the loaded plugins contribute (``register_framework_catalogs``),
    by framework id, as validated at start-up."""
    return [catalog for _plugin, catalog in platform.catalog.frameworks]


__all__ += ["FrameworkCatalog", "framework_catalogs"]


# --- the web workspace (ipgov.plugins.workspace): hook register_workspace_extensions ---------
from ipgov.plugins.workspace import (  # noqa: E402
    WorkspaceExtension,
    WorkspaceNavEntry,
    WorkspaceWidget,
)

__all__ += ["WorkspaceExtension", "WorkspaceNavEntry", "WorkspaceWidget"]


# --- records a plugin may read back (issue 20: evidence files and controlled documents) -------


async def audit_event_details(session: AsyncSession, event_id: str) -> dict[str, Any] | None:
    """The ``details`` of audit event ``event_id`` of the session's tenant (``None`` when the
    tenant has no such event): what a plugin wrote into the tamper-evident chain, e.g. a file's
    hash, read back to check the file against it. ``ipgov audit verify`` proves the chain."""
    from sqlalchemy import select

    from ipgov.audit.models import AuditEvent

    if not event_id:
        return None
    found = (await session.execute(select(AuditEvent.details).where(
        AuditEvent.id == event_id))).scalar()
    return dict(found) if found is not None else None


async def role_holders(session: AsyncSession, roles: Iterable[str]) -> dict[str, set[str]]:
    """The user ids holding each of ``roles`` by membership in the session's tenant (roles
    nobody holds map to an empty set), e.g. who must acknowledge a document."""
    from sqlalchemy import select

    from ipgov.identity.models import Membership

    wanted = sorted(set(roles))
    found: dict[str, set[str]] = {role: set() for role in wanted}
    if wanted:
        rows = await session.execute(select(Membership.role, Membership.user_id).where(
            Membership.role.in_(wanted)))
        for role, user_id in rows.all():
            found[role].add(user_id)
    return found


def download_link(platform: PlatformContext, principal: Any, path: str) -> tuple[str, Any]:
    """A signed, short-lived link (``IPGOV_DOWNLOAD_LINK_SECONDS``) for the signed-in user
    ``principal`` (``info.context.require_principal()``) to ``GET path`` of a plugin route:
    ``(url, expires_at)``. The route authorizes as for a bearer token when it is opened."""
    from ipgov.identity.links import make_link

    link = make_link(_core(platform), principal, path)
    return link.url, link.expires_at


def message_in(locale: str, code: str, english: str, params: dict[str, Any] | None = None
               ) -> str:
    """The catalog message of error ``code`` in ``locale`` (``english`` for English or when
    the catalog has no usable entry): for plain HTTP routes, which answer in the language
    ``negotiate_locale`` chose."""
    from ipgov.i18n import translate

    if locale == "en":
        return english
    return translate(code, locale, params) or english


__all__ += ["audit_event_details", "download_link", "message_in", "role_holders"]


# --- secrets a plugin keeps in its tables (ipgov.identity.sealing) -----------------------------

_PLUGIN_SECRET_LABEL = b"ipgov plugin secret v1"


class SealedSecretError(ValueError):
    """A sealed secret does not open: another platform key, another row, or altered."""


def seal_secret(platform: PlatformContext, plaintext: str, *, row_id: str,
                purpose: str) -> str:
    """``plaintext`` (an API key, a client secret) encrypted for storage on the row ``row_id``
    (AES-256-GCM under a key derived from the platform's audit key, which never lives in the
    database). ``purpose`` names the use, ``<plugin>:<what>``; the row id and the purpose are
    bound to the value, so a sealed secret copied onto another row or read for another purpose
    does not open. Never return the plaintext through an API."""
    from ipgov.identity.sealing import seal

    return seal(platform, plaintext, provider_id=row_id, purpose=purpose,
                label=_PLUGIN_SECRET_LABEL)


def open_secret(platform: PlatformContext, sealed: str, *, row_id: str, purpose: str) -> str:
    """The plaintext ``seal_secret`` sealed for ``row_id`` and ``purpose``;
    ``SealedSecretError`` otherwise."""
    from ipgov.identity.sealing import SealError, unseal

    try:
        return unseal(platform, sealed, provider_id=row_id, purpose=purpose,
                      label=_PLUGIN_SECRET_LABEL)
    except SealError as exc:
        raise SealedSecretError(str(exc)) from exc


__all__ += ["SealedSecretError", "open_secret", "seal_secret"]
