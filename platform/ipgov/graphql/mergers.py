"""Mergers in GraphQL, previewed: what an absorption or a parallel reporting would do, computed
by running it in a transaction that is rolled back (``ipgov.tenancy.mergers``)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from ipgov.tenancy import mergers

from .governance_mode import TenantModeEffectType, tenant_effect_node
from .permissions import check_permission, requires

__all__ = ["MergerQuery"]


@strawberry.type(name="MergerCount", description="How many of something a merger moves, "
                 "drops or adopts (rows of a table as `plugin:table`, memberships, policies…).")
class MergerCountType:
    item: str
    count: int


@strawberry.type(name="MergerPreview", description="What a merger would do, measured by "
                 "running it (plugins' hooks included) in a transaction that is rolled back: "
                 "nothing is stored or audited.")
class MergerPreviewType:
    kind: str = strawberry.field(description="absorption or parallel_reporting")
    counts: list[MergerCountType]
    supervision_kept: bool = strawberry.field(description="True when everyone who supervised "
                                              "a tenant still does.")
    tenants: list[TenantModeEffectType] = strawberry.field(description="Per tenant where "
                                                           "something changes: who gains and "
                                                           "loses which rights, plugins.")


def _node(info: Info, preview: mergers.MergerPreview) -> MergerPreviewType:
    return MergerPreviewType(
        kind=preview.kind, supervision_kept=preview.supervision_kept,
        counts=[MergerCountType(item=k, count=v) for k, v in sorted(preview.counts.items())],
        tenants=[tenant_effect_node(info, t) for t in preview.tenants])


@strawberry.type
class MergerQuery:
    @strawberry.field(description="What absorbing a tenant would do (absorbTenant), before "
                      "it is done: rows moved, policies dropped, plugins adopted, who gains and "
                      "loses which rights. Same rights as the absorption.",
                      extensions=requires("ipgov:tenant", "merge", tenant="absorbingId"))
    async def preview_absorption(self, info: Info, absorbing_id: strawberry.ID,
                                 absorbed_id: strawberry.ID) -> MergerPreviewType:
        check_permission(info, str(absorbed_id), "ipgov:tenant", "merge", of_parent=True)
        return _node(info, await mergers.preview_absorption(
            info.context.platform, absorbing_id=str(absorbing_id), absorbed_id=str(absorbed_id)))

    @strawberry.field(description="What joining a tenant under a parent as parallel reporting "
                      "would do (joinParallelReporting), before it is done. Same rights.",
                      extensions=requires("ipgov:tenant", "merge", tenant="parentId"))
    async def preview_parallel_reporting(self, info: Info, parent_id: strawberry.ID,
                                         acquired_id: strawberry.ID) -> MergerPreviewType:
        check_permission(info, str(acquired_id), "ipgov:tenant", "merge")
        return _node(info, await mergers.preview_parallel_reporting(
            info.context.platform, parent_id=str(parent_id), acquired_id=str(acquired_id)))
