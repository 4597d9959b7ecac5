"""The discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas.

Their content is the service description of ``resources.provider``; a ``filter`` is refused
with 403 as §4 says, and an unknown id is a SCIM 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scim2_models import ForbiddenException, ListResponse, Meta, NotFoundException

from .protocol import Reply
from .resources import parametrize, provider

__all__ = ["discovery"]


def _located(resource: Any, kind: str, location: str) -> Any:
    return resource.model_copy(update={"meta": Meta(resource_type=kind, location=location)})


def _listed(items: list[Any], kind: str, base_url: str, item_id: str | None) -> Reply:
    endpoint = "ResourceTypes" if kind == "ResourceType" else "Schemas"
    located = [_located(i, kind, f"{base_url}/{endpoint}/{i.id}") for i in items]
    if item_id is not None:
        found = next((i for i in located if i.id == item_id), None)
        if found is None:
            raise NotFoundException(detail=f"no {kind} {item_id[:100]!r}")
        return Reply(200, found.model_dump(), {"Content-Location": found.meta.location})
    page = parametrize(ListResponse, type(items[0]))(total_results=len(located), start_index=1,
                                        items_per_page=len(located), resources=located)
    return Reply(200, page.model_dump())


def discovery(endpoint: str, item_id: str | None, query: Mapping[str, str], base_url: str,
              max_page_size: int) -> Reply:
    """The answer of ``GET /<endpoint>[/<id>]`` for a discovery endpoint."""
    if "filter" in query:
        raise ForbiddenException(detail="discovery endpoints are not filtered")
    described = provider(max_page_size)
    if endpoint == "ServiceProviderConfig":
        if item_id is not None:
            raise NotFoundException(detail="ServiceProviderConfig has no sub-resources")
        config = _located(described.config, "ServiceProviderConfig",
                          f"{base_url}/ServiceProviderConfig")
        return Reply(200, config.model_dump(), {"Content-Location": config.meta.location})
    if endpoint == "ResourceTypes":
        return _listed(list(described.resource_types), "ResourceType", base_url, item_id)
    return _listed(list(described.schemas), "Schema", base_url, item_id)
