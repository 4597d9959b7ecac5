"""The SCIM protocol of each endpoint, without HTTP: bodies validated and responses built with
``scim2-models``, storage through ``users`` and ``groups``.

Every function takes the request's ``Provisioning`` (verified token, reach), an open session
and the request's parts, and returns a ``Reply`` (status, body, headers) for the route to send.
Errors are raised as ``scim2-models`` exceptions (``errors.scim_error`` turns them and our
domain errors into RFC 7644 §3.12 bodies).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    Error,
    ListResponse,
    NotFoundException,
    PatchOp,
    ResponseParameters,
    SCIMException,
    SearchRequest,
)
from sqlalchemy.ext.asyncio import AsyncSession

from . import groups, users
from .filters import GROUP_FILTERS, USER_FILTERS, FilterCompiler
from .models import ScimGroup
from .resources import GROUP_MODEL, USER_MODEL, parametrize
from .sync import Provisioning

__all__ = ["Reply", "create", "delete", "get_one", "patch", "replace", "search"]

SEARCH_PARAMETERS = ("attributes", "excludedAttributes", "filter", "startIndex", "count",
                     "sortBy", "sortOrder")


@dataclass
class Reply:
    """What a route sends: status, a JSON body (None: no body) and headers."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """One resource type's model, filters and storage."""

    name: str
    model: Any
    compiler: FilterCompiler


USERS = Kind("Users", USER_MODEL, FilterCompiler(USER_FILTERS))
GROUPS = Kind("Groups", GROUP_MODEL, FilterCompiler(GROUP_FILTERS))
KINDS = {"users": USERS, "groups": GROUPS}


def kind_of(endpoint: str) -> Kind:
    """The resource type served at ``endpoint`` (``Users``, ``Groups``); 404 otherwise."""
    found = KINDS.get(endpoint.casefold())
    if found is None:
        raise NotFoundException(detail=f"no SCIM endpoint /{endpoint[:40]}")
    return found


def validate(model: Any, payload: Any, context: Context) -> Any:
    """``payload`` (bytes or a mapping) validated by ``model`` in ``context``."""
    try:
        if isinstance(payload, bytes | str):
            return model.model_validate_json(payload, scim_ctx=context)
        return model.model_validate(payload, scim_ctx=context)
    except ValidationError as exc:
        raise SCIMException.from_error(Error.from_validation_errors(exc)[0]) from None


def _members_wanted(parameters: Any) -> bool:
    """Whether a Group response shows members (left out of lists when excluded)."""
    excluded = [str(a).casefold() for a in parameters.excluded_attributes or []]
    attributes = [str(a).casefold() for a in parameters.attributes or []]
    if any(a.endswith("members") or ".members" in a for a in excluded):
        return False
    return not attributes or any("members" in a for a in attributes)


def _dump(resource: Any, context: Context, parameters: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = resource.model_dump(scim_ctx=context, response_parameters=parameters)
    return body


def _headers(resource: Any) -> dict[str, str]:
    return {"Content-Location": resource.meta.location}


async def _load(prov: Provisioning, session: AsyncSession, kind: Kind, resource_id: str,
                with_members: bool = True) -> Any:
    if kind is USERS:
        return await users.resource_of(prov, session, resource_id)
    return await groups.resource_of(prov, session, resource_id, with_members)


def _parameters(kind: Kind, query: Mapping[str, str]) -> Any:
    wanted = {k: query[k] for k in ("attributes", "excludedAttributes") if k in query}
    return validate(parametrize(ResponseParameters, kind.model), wanted,
                    Context.RESOURCE_QUERY_REQUEST)


async def get_one(prov: Provisioning, session: AsyncSession, endpoint: str, resource_id: str,
                  query: Mapping[str, str]) -> Reply:
    """``GET /<endpoint>/<id>``."""
    kind = kind_of(endpoint)
    parameters = _parameters(kind, query)
    resource = await _load(prov, session, kind, resource_id, _members_wanted(parameters))
    return Reply(200, _dump(resource, Context.RESOURCE_QUERY_RESPONSE, parameters),
                 _headers(resource))


async def search(prov: Provisioning, session: AsyncSession, endpoint: str,
                 payload: Mapping[str, Any], max_page_size: int) -> Reply:
    """``GET /<endpoint>?filter=...`` or ``POST /<endpoint>/.search``: one page, at most
    ``max_page_size`` resources, index pagination (1-based ``startIndex``)."""
    kind = kind_of(endpoint)
    request = validate(parametrize(SearchRequest, kind.model),
                       {k: payload[k] for k in SEARCH_PARAMETERS if k in payload},
                       Context.SEARCH_REQUEST)
    if request.sort_by is not None:
        raise SCIMException.from_error(Error(status=400, scim_type="invalidValue",
                                             detail="sorting is not supported"))
    start = max(1, request.start_index or 1)
    count = max_page_size if request.count is None else max(0, min(request.count,
                                                                   max_page_size))
    condition = kind.compiler.compile(request.filter.ast if request.filter else None)
    if kind is USERS:
        total, found = await users.list_users(prov, session, condition, start, count)
    else:
        total, found = await groups.list_groups(prov, session, condition, start, count,
                                                _members_wanted(request))
    dumped = [_dump(r, Context.SEARCH_RESPONSE, request) for r in found]
    page = parametrize(ListResponse, kind.model)(total_results=total, start_index=start,
                                    items_per_page=len(dumped), resources=dumped)
    return Reply(200, page.model_dump(scim_ctx=Context.SEARCH_RESPONSE))


async def create(prov: Provisioning, session: AsyncSession, endpoint: str, body: bytes
                 ) -> Reply:
    """``POST /<endpoint>``: 201 with the stored resource and its ``Location``."""
    kind = kind_of(endpoint)
    resource = validate(kind.model, body, Context.RESOURCE_CREATION_REQUEST)
    stored = await (users.create if kind is USERS else groups.create)(prov, session, resource)
    headers = _headers(stored) | {"Location": stored.meta.location}
    return Reply(201, _dump(stored, Context.RESOURCE_CREATION_RESPONSE), headers)


async def _store(prov: Provisioning, session: AsyncSession, kind: Kind, resource_id: str,
                 resource: Any) -> Any:
    """Write a complete new state (after PUT or PATCH), validated again as a replacement
    (a PATCH may not remove what is required)."""
    state = resource.model_dump(exclude={"meta", "groups", "id"})
    checked = validate(kind.model, state, Context.RESOURCE_REPLACEMENT_REQUEST)
    if kind is USERS:
        return await users.changed(prov, session, resource_id, checked)
    group: ScimGroup = await groups.get(prov, session, resource_id)
    await groups.save(prov, session, group, checked)
    return await groups.resource_of(prov, session, resource_id)


async def replace(prov: Provisioning, session: AsyncSession, endpoint: str, resource_id: str,
                  body: bytes) -> Reply:
    """``PUT /<endpoint>/<id>``: replace every writable attribute (RFC 7644 §3.5.1)."""
    kind = kind_of(endpoint)
    replacement = validate(kind.model, body, Context.RESOURCE_REPLACEMENT_REQUEST)
    current = await _load(prov, session, kind, resource_id)
    replacement.replace(current)
    stored = await _store(prov, session, kind, resource_id, replacement)
    return Reply(200, _dump(stored, Context.RESOURCE_REPLACEMENT_RESPONSE), _headers(stored))


async def patch(prov: Provisioning, session: AsyncSession, endpoint: str, resource_id: str,
                body: bytes) -> Reply:
    """``PATCH /<endpoint>/<id>``: add, replace and remove operations (RFC 7644 §3.5.2),
    applied by ``scim2-models``; 200 with the resource."""
    kind = kind_of(endpoint)
    operations = validate(parametrize(PatchOp, kind.model), body, Context.RESOURCE_PATCH_REQUEST)
    current = await _load(prov, session, kind, resource_id)
    if operations.patch(current):
        current = await _store(prov, session, kind, resource_id, current)
    return Reply(200, _dump(current, Context.RESOURCE_PATCH_RESPONSE), _headers(current))


async def delete(prov: Provisioning, session: AsyncSession, endpoint: str, resource_id: str
                 ) -> Reply:
    """``DELETE /<endpoint>/<id>``: 204."""
    kind = kind_of(endpoint)
    if kind is USERS:
        await users.delete_user(prov, session, resource_id)
    else:
        await groups.delete_group(prov, session, resource_id)
    return Reply(204)
