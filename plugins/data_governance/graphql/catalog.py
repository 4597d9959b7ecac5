"""GraphQL of the catalog: kinds, metadata specs, assets, protected content and its access
log, and the data governance organization (roles per asset or domain)."""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON
from strawberry.types import Info

from ipgov.api import (
    Connection,
    input_values,
    mutate,
    requires,
    tenant_page,
)

from ..catalog import services
from ..catalog.models import DataAsset, DataAssetKind, MetadataSpec
from ..common import get, payload_errors, plain
from ..organization.models import GovernanceRoleAssignment
from ..organization.services import assign_role
from ..permissions import ACCESS_LOG, ASSET, ORGANIZATION, SPEC
from ..secrets.models import DataAccessLog
from ..secrets.services import read_content
from .types import (
    DataAccessLogEntry,
    DataAssetContentType,
    DataAssetInput,
    DataAssetKindPayload,
    DataAssetKindType,
    DataAssetPayload,
    DataAssetType,
    FieldProblem,
    GovernanceRoleInput,
    GovernanceRolePayload,
    GovernanceRoleType,
    MetadataSpecPayload,
    MetadataSpecType,
    NonconformingAsset,
    access_node,
    asset_node,
    kind_node,
    role_node,
    spec_node,
)

__all__ = ["CatalogMutation", "CatalogQuery"]

ID = strawberry.ID


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="The tenant's registry of asset kinds.",
                      extensions=requires(SPEC, "read"))
    async def data_asset_kinds(self, info: Info, tenant_id: ID, first: int = 50,
                               after: str | None = None) -> Connection[DataAssetKindType]:
        async with info.context.session(str(tenant_id)) as s:
            await services.ensure_builtin_kinds(s)
        return await tenant_page(
            info, str(tenant_id), select(DataAssetKind), [DataAssetKind.key],
            first=first, after=after, to_node=kind_node)

    @strawberry.field(description="Versions of the metadata specs, per kind, oldest first.",
                      extensions=requires(SPEC, "read"))
    async def metadata_specs(self, info: Info, tenant_id: ID, kind_key: str | None = None,
                             first: int = 50, after: str | None = None
                             ) -> Connection[MetadataSpecType]:
        stmt = select(MetadataSpec)
        if kind_key:
            stmt = stmt.where(MetadataSpec.kind_key == kind_key)
        return await tenant_page(
            info, str(tenant_id), stmt, [MetadataSpec.kind_key, MetadataSpec.version],
            first=first, after=after, to_node=spec_node)

    @strawberry.field(description="The IP data catalog, filtered by kind, classification, "
                      "lifecycle stage or tag.", extensions=requires(ASSET, "read"))
    async def data_assets(self, info: Info, tenant_id: ID, kind: str | None = None,
                          classification: str | None = None, stage: str | None = None,
                          tag: str | None = None, first: int = 50, after: str | None = None
                          ) -> Connection[DataAssetType]:
        stmt = select(DataAsset)
        for column, value in ((DataAsset.kind_key, kind),
                              (DataAsset.classification, classification),
                              (DataAsset.lifecycle_stage, stage)):
            if value:
                stmt = stmt.where(column == value)
        if tag:
            stmt = stmt.where(cast(DataAsset.tags, String).like(f'%"{plain(tag)}"%'))
        return await tenant_page(
            info, str(tenant_id), stmt, [DataAsset.code],
            first=first, after=after, to_node=asset_node)

    @strawberry.field(description="One asset (its metadata, never its content).",
                      extensions=requires(ASSET, "read"))
    async def data_asset(self, info: Info, tenant_id: ID, id: ID) -> DataAssetType:  # noqa: A002
        async with info.context.session(str(tenant_id)) as s:
            return asset_node(await get(s, DataAsset, str(id), "data asset"))

    @strawberry.field(description="An asset's protected content. Needs clearance for its "
                      "classification; every attempt, granted or refused, is logged with "
                      "its purpose.", extensions=requires(ASSET, "read"))
    async def data_asset_content(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                 purpose: str) -> DataAssetContentType:
        asset, body = await read_content(info, str(tenant_id), str(id), purpose)
        return DataAssetContentType(asset_id=ID(asset.id), code=asset.code,
                                    classification=asset.classification, content=body)

    @strawberry.field(description="Reads of protected content (granted and refused), oldest "
                      "first.", extensions=requires(ACCESS_LOG, "read"))
    async def data_access_log(self, info: Info, tenant_id: ID, asset_id: ID | None = None,
                              outcome: str | None = None, first: int = 50,
                              after: str | None = None) -> Connection[DataAccessLogEntry]:
        stmt = select(DataAccessLog)
        if asset_id:
            stmt = stmt.where(DataAccessLog.asset_id == str(asset_id))
        if outcome:
            stmt = stmt.where(DataAccessLog.outcome == outcome)
        return await tenant_page(
            info, str(tenant_id), stmt, [DataAccessLog.id],
            first=first, after=after, to_node=access_node)

    @strawberry.field(description="Data owners, stewards and custodians per asset or domain.",
                      extensions=requires(ORGANIZATION, "read"))
    async def data_governance_roles(self, info: Info, tenant_id: ID,
                                    asset_id: ID | None = None, domain: str | None = None,
                                    first: int = 50, after: str | None = None
                                    ) -> Connection[GovernanceRoleType]:
        stmt = select(GovernanceRoleAssignment)
        if asset_id:
            stmt = stmt.where(GovernanceRoleAssignment.asset_id == str(asset_id))
        if domain:
            stmt = stmt.where(GovernanceRoleAssignment.domain == domain)
        return await tenant_page(
            info, str(tenant_id), stmt, [GovernanceRoleAssignment.id],
            first=first, after=after, to_node=role_node)


def _nonconforming(found: list[Any]) -> list[NonconformingAsset]:
    return [NonconformingAsset(asset_id=ID(a.id), code=a.code,
                               problems=[FieldProblem(field=f, message=m) for f, m in problems])
            for a, problems in found]


@strawberry.type
class CatalogMutation:
    @strawberry.mutation(description="Add a kind of asset to the tenant's registry.",
                         extensions=requires(SPEC, "publish"))
    async def register_data_asset_kind(self, info: Info, tenant_id: ID, key: str, title: str,
                                       description: str = "") -> DataAssetKindPayload:
        return await mutate(
            info, str(tenant_id), DataAssetKindPayload, "kind",
            lambda s: services.register_kind(s, key=key, title=title, description=description),
            action="data_governance.kind.registered", object_type=SPEC, to_node=kind_node,
            errors=payload_errors)

    @strawberry.mutation(description="Publish a new version of a kind's metadata spec (a JSON "
                         "Schema); the payload lists the assets that no longer conform.",
                         extensions=requires(SPEC, "publish"))
    async def publish_metadata_spec(self, info: Info, tenant_id: ID, kind_key: str,
                                    json_schema: JSON, note: str = "") -> MetadataSpecPayload:
        actor = info.context.actor
        return await mutate(
            info, str(tenant_id), MetadataSpecPayload, None,
            lambda s: services.publish_spec(s, kind_key=kind_key, json_schema=json_schema,
                                            note=note, actor=actor),
            action="data_governance.spec.published", object_type=SPEC,
            object_id=lambda done: done[0].id,
            details=lambda done: {"kind": kind_key, "version": done[0].version,
                                  "nonconforming": len(done[1])},
            to_node=lambda done: {"spec": spec_node(done[0]),
                                  "nonconforming": _nonconforming(done[1])},
            errors=payload_errors)

    @strawberry.mutation(description="Catalog an asset; every field at fault is reported and "
                         "nothing is stored on any error.", extensions=requires(ASSET, "create"))
    async def create_data_asset(self, info: Info, tenant_id: ID,
                                input: DataAssetInput) -> DataAssetPayload:  # noqa: A002
        actor = info.context.actor

        return await mutate(
            info, str(tenant_id), DataAssetPayload, "asset",
            lambda s: services.save_asset(s, input_values(input, nested=True), actor=actor),
            action="data_governance.asset.created", object_type=ASSET, to_node=asset_node,
            errors=payload_errors)

    @strawberry.mutation(description="Change an asset (same rules as creating one).",
                         extensions=requires(ASSET, "update"))
    async def update_data_asset(self, info: Info, tenant_id: ID, id: ID,  # noqa: A002
                                input: DataAssetInput) -> DataAssetPayload:  # noqa: A002
        actor = info.context.actor

        async def work(s: AsyncSession) -> Any:
            asset = await services.save_asset(
                s, input_values(input, nested=True), actor=actor,
                asset=await get(s, DataAsset, str(id), "data asset"))
            return asset

        return await mutate(
            info, str(tenant_id), DataAssetPayload, "asset", work,
            action="data_governance.asset.updated", object_type=ASSET, to_node=asset_node,
            errors=payload_errors)

    @strawberry.mutation(description="Give a person a data governance role over an asset or "
                         "a domain, with decision rights.",
                         extensions=requires(ORGANIZATION, "assign"))
    async def assign_data_governance_role(self, info: Info, tenant_id: ID,
                                          input: GovernanceRoleInput  # noqa: A002
                                          ) -> GovernanceRolePayload:
        actor = info.context.actor

        return await mutate(
            info, str(tenant_id), GovernanceRolePayload, "role",
            lambda s: assign_role(s, input_values(input, nested=True), actor=actor),
            action="data_governance.role.assigned", object_type=ORGANIZATION, to_node=role_node,
            errors=payload_errors)
