"""Database refusals as domain errors: every constraint answers with a code, a field and a reason.

A unique, foreign-key, not-null or check constraint that refuses a write (two requests racing
for one slug, a reference to a row deleted meanwhile) must reach the caller as the same clear
error a validator would have given, never as ``INTERNAL``. Constraint names follow the naming
convention of ``ipgov.db.base`` (``uq_<table>_<columns>``, ``fk_<table>_<column>_<referred>``,
``ck_<table>_<name>``): PostgreSQL reports the name, SQLite reports the table and columns and
the name is rebuilt from the shared metadata. The core and plugins declare what a constraint
means with ``declare_constraint`` (plugins through ``ipgov.api``); an undeclared constraint
still gets a message derived from its columns. ``Database.session`` raises the translation when
a refusal leaves its block; code that wants the refusal itself (an idempotent insert,
``insert_or_existing``) catches it inside the block.

Data errors are translated too (text longer than its column, a NUL character PostgreSQL cannot
store, an unpaired surrogate, a number out of range): each is ``InvalidInput``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import UniqueConstraint
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.schema import ColumnCollectionConstraint, Index

from ipgov.errors import Conflict, DomainError, InvalidInput

__all__ = [
    "ConstraintMeaning",
    "Refusal",
    "constraint_error",
    "declare_constraint",
    "insert_or_existing",
    "refusal_of",
]

T = TypeVar("T")


@dataclass(frozen=True)
class ConstraintMeaning:
    """What a refusal by one constraint means to the person who sent the input."""

    code: str
    message: str
    field: str | None = None
    error: type[DomainError] = Conflict


@dataclass(frozen=True)
class Refusal:
    """A database refusal, read from the driver: its kind and whatever the driver named."""

    kind: str  # unique, foreign_key, not_null, check, too_long, bad_text, out_of_range, bad_value
    constraint: str | None = None
    table: str | None = None
    column: str | None = None
    verb: str = ""  # INSERT, UPDATE, DELETE ... of the refused statement
    limit: int | None = None


_MEANINGS: dict[str, ConstraintMeaning] = {}


def declare_constraint(name: str, *, code: str, message: str, field: str | None = None,
                       error: type[DomainError] = Conflict) -> None:
    """Declare what a refusal by constraint ``name`` means (core and plugins, at import).

    ``field`` is the input field to blame (camelCase, as the API spells it); ``error`` the
    domain error class (``Conflict`` for duplicates, ``InvalidInput`` for rule breaks)."""
    _MEANINGS[name] = ConstraintMeaning(code=code, message=message, field=field, error=error)


def declared(name: str) -> ConstraintMeaning | None:
    """The declared meaning of constraint ``name``, if any."""
    return _MEANINGS.get(name)


# --------------------------------------------------------------------- reading the driver

_SQLSTATES = {"23505": "unique", "23503": "foreign_key", "23502": "not_null",
              "23514": "check", "22001": "too_long", "22021": "bad_text",
              "22P05": "bad_text", "22003": "out_of_range", "22P02": "bad_value",
              "22007": "bad_value", "22008": "bad_value"}
_SQLITE = [(re.compile(r"UNIQUE constraint failed: (.+)$"), "unique"),
           (re.compile(r"NOT NULL constraint failed: (\w+)\.(\w+)"), "not_null"),
           (re.compile(r"CHECK constraint failed: (\w+)"), "check"),
           (re.compile(r"FOREIGN KEY constraint failed"), "foreign_key")]


def _verb(statement: str | None) -> str:
    return (statement or "").lstrip().split(" ", 1)[0].upper()


def refusal_of(exc: BaseException) -> Refusal | None:
    """The refusal ``exc`` reports, or ``None`` when it is not a refusal of the data (an
    outage, a bug)."""
    if isinstance(exc, UnicodeEncodeError) and "surrogates" in str(exc):
        return Refusal("bad_text")  # SQLite's driver cannot encode the text
    if isinstance(exc, OverflowError) and "SQLite INTEGER" in str(exc):
        return Refusal("out_of_range")
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return None
    orig, verb = exc.orig, _verb(exc.statement)
    cause = orig.__cause__
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _SQLSTATES:
        diag = getattr(orig, "diag", None)  # psycopg

        def pick(name: str) -> Any:
            return getattr(cause, name, None) or getattr(diag, name, None)

        size = re.search(r"varying\((\d+)\)", str(orig))
        return Refusal(_SQLSTATES[state], pick("constraint_name"), pick("table_name"),
                       pick("column_name"), verb, int(size.group(1)) if size else None)
    if type(cause).__name__ == "DataError" and type(cause).__module__.startswith("asyncpg"):
        kind = "bad_text" if "surrogates" in str(cause) else "bad_value"
        return Refusal(kind, verb=verb)  # refused by asyncpg before it reached the server
    if isinstance(exc, IntegrityError):
        return _sqlite_refusal(str(orig), verb)
    return None


def _sqlite_refusal(message: str, verb: str) -> Refusal | None:
    for pattern, kind in _SQLITE:
        match = pattern.search(message)
        if match is None:
            continue
        if kind == "unique":
            pairs = [c.strip().split(".", 1) for c in match.group(1).split(",")]
            table = pairs[0][0]
            columns = [p[-1] for p in pairs]
            return Refusal(kind, _unique_name(table, columns), table, columns[-1], verb)
        if kind == "not_null":
            return Refusal(kind, None, match.group(1), match.group(2), verb)
        if kind == "check":
            return Refusal(kind, match.group(1), verb=verb)
        return Refusal(kind, verb=verb)
    return None


def _unique_name(table: str, columns: list[str]) -> str:
    """The name of the unique constraint (or index) on ``columns`` of ``table``."""
    from .base import Base

    found = Base.metadata.tables.get(table)
    wanted = set(columns)
    if found is not None:
        for constraint in found.constraints:
            if isinstance(constraint, UniqueConstraint) and {
                    c.name for c in constraint.columns} == wanted and constraint.name:
                return str(constraint.name)
        for index in found.indexes:
            if index.unique and {c.name for c in index.columns} == wanted and index.name:
                return str(index.name)
    return f"uq_{table}_{'_'.join(columns)}"  # the naming convention of ipgov.db.base


# --------------------------------------------------------------------- the domain errors


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _columns_of(constraint: str | None, table: str | None) -> list[str]:
    """The columns of a named constraint from the metadata (tenant_id left out)."""
    from .base import Base

    for candidate in Base.metadata.tables.values():
        if table and candidate.name != table:
            continue
        items: list[ColumnCollectionConstraint | Index] = [
            c for c in candidate.constraints if isinstance(c, ColumnCollectionConstraint)]
        for item in [*items, *candidate.indexes]:
            if item.name == constraint:
                return [c.name for c in item.columns if c.name != "tenant_id"]
    return []


def _derived(refusal: Refusal) -> DomainError:
    """The error for a refusal nobody declared: clear, and naming the field where known."""
    columns = _columns_of(refusal.constraint, refusal.table)
    column = refusal.column or (columns[-1] if columns else None)
    field = _camel(column) if column else None
    what = field or "a value"
    details: dict[str, Any] = {"constraint": refusal.constraint or ""}
    if refusal.kind == "unique":
        names = ", ".join(_camel(c) for c in columns) or what
        return Conflict(f"another record with the same {names} exists already",
                        code="DUPLICATE", field=field, details={**details, "fields": names})
    if refusal.kind == "foreign_key" and refusal.verb == "DELETE":
        return Conflict("other records still refer to this one; remove or move them first",
                        code="IN_USE", details=details)
    if refusal.kind == "foreign_key":
        return InvalidInput(f"{what} refers to something that does not exist (any more)",
                            code="REFERENCE_NOT_FOUND", field=field, details=details)
    if refusal.kind == "not_null":
        return InvalidInput(f"{what} is required", code="REQUIRED", field=field,
                            details=details)
    return _data_error(refusal, what, field, details)


def _data_error(refusal: Refusal, what: str, field: str | None,
                details: dict[str, Any]) -> DomainError:
    if refusal.kind == "too_long":
        limit = f" (at most {refusal.limit} characters)" if refusal.limit else ""
        return InvalidInput(f"a text is longer than the database accepts{limit}",
                            code="VALUE_TOO_LONG", field=field,
                            details={**details, "max": refusal.limit or ""})
    if refusal.kind == "bad_text":
        return InvalidInput("a text contains a NUL character or an unpaired surrogate, "
                            "which cannot be stored", code="BAD_TEXT", field=field,
                            details=details)
    if refusal.kind == "out_of_range":
        return InvalidInput("a number is outside the range the database can store",
                            code="OUT_OF_RANGE", field=field, details=details)
    if refusal.kind == "check":
        return InvalidInput(f"{what} breaks the rule {refusal.constraint or ''}".strip(),
                            code="CONSTRAINT_VIOLATED", field=field, details=details)
    return InvalidInput(f"{what} is not a valid value for the database",
                        code="INVALID_VALUE", field=field, details=details)


def constraint_error(exc: BaseException) -> DomainError | None:
    """The domain error for a database refusal (declared meaning first, derived otherwise);
    ``None`` when ``exc`` is not a refusal of the data."""
    refusal = refusal_of(exc)
    if refusal is None:
        return None
    meaning = _MEANINGS.get(refusal.constraint or "")
    if meaning is not None and refusal.kind in ("unique", "check"):
        return meaning.error(meaning.message, code=meaning.code, field=meaning.field,
                             details={"constraint": refusal.constraint})
    return _derived(refusal)


async def insert_or_existing(session: AsyncSession, row: T, *, constraint: str,
                             existing: Callable[[], Awaitable[T | None]]) -> tuple[T, bool]:
    """Insert ``row``; when ``constraint`` refuses it (a concurrent request with the same
    idempotency key won the race), return the row that is already stored instead.

    Returns ``(row, created)``. The insert runs in a savepoint, so the caller's transaction
    goes on after a refusal; any other refusal propagates."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        refusal = refusal_of(exc)
        if refusal is None or refusal.constraint != constraint:
            raise
        found = await existing()
        if found is None:
            raise
        return found, False
    return row, True


# --------------------------------------------------------------------- the core's constraints


def _declare_core() -> None:
    """What the core's own constraints mean (plugins declare theirs through ``ipgov.api``)."""
    dup = "DUPLICATE_NAME"
    for name, code, message, field in [
        ("uq_tenants_slug", "DUPLICATE_SLUG", "a tenant with this slug already exists", "slug"),
        ("uq_users_email", "DUPLICATE_EMAIL", "a user with this email address exists already",
         "email"),
        ("uq_users_external_subject", "DUPLICATE_EXTERNAL_SUBJECT",
         "another user is linked to this identity-provider subject", "externalSubject"),
        ("uq_memberships_tenant_id_user_id_role", "DUPLICATE_MEMBERSHIP",
         "the user already holds this role in the tenant", "role"),
        ("uq_service_accounts_tenant_id_name", dup,
         "a service account with this name exists already in the tenant", "name"),
        ("uq_review_schedules_tenant_id_name", dup,
         "a review schedule with this name exists already in the tenant", "name"),
        ("uq_review_runs_tenant_id_idempotency_key", "DUPLICATE_REQUEST",
         "a review with this idempotency key exists already", "idempotencyKey"),
        ("uq_jobs_tenant_id_idempotency_key", "DUPLICATE_REQUEST",
         "a job with this idempotency key exists already", "idempotencyKey"),
        ("uq_escalations_tenant_id_idempotency_key", "DUPLICATE_REQUEST",
         "this decision has been escalated already", "idempotencyKey"),
        ("uq_audit_events_tenant_id_seq", "CONCURRENT_WRITE",
         "another change to this tenant was recorded at the same moment; try again", None),
        ("uq_audit_heads_tenant_id", "CONCURRENT_WRITE",
         "another change to this tenant was recorded at the same moment; try again", None),
        ("uq_review_settings_tenant_id", "CONCURRENT_WRITE",
         "the tenant's review settings were created at the same moment; try again", None),
        ("uq_directives_tenant_id_check_id_finding_key", "CONCURRENT_WRITE",
         "this directive was opened at the same moment by another review", None),
        ("uq_check_results_run_id_check_id", "CONCURRENT_WRITE",
         "this check's result was stored at the same moment by another worker", None),
        ("uq_findings_run_id_check_id_key", "CONCURRENT_WRITE",
         "this finding was stored at the same moment by another worker", None),
    ]:
        declare_constraint(name, code=code, message=message, field=field)


_declare_core()
