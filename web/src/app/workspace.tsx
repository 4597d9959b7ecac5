/**
 * Who is signed in, which tenants they may work in (as a tree), the current tenant (the
 * `/t/:slug` of the URL) and what they may do there (myPermissions). Every screen reads these.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { WorkspaceQuery } from "../gql/graphql";
import { execute } from "./client";
import { TenantAccessDocument, WorkspaceDocument } from "./operations";

export type TenantNode = WorkspaceQuery["tenants"]["nodes"][number];
export type Me = WorkspaceQuery["me"];
export interface Permission { object: string; action: string }

export interface TenantTree { tenant: TenantNode; children: TenantTree[] }

/** The tenants as trees: a tenant whose parent is not visible is a root. */
export function tenantForest(tenants: readonly TenantNode[]): TenantTree[] {
  const byId = new Map(tenants.map((t) => [t.id, { tenant: t, children: [] as TenantTree[] }]));
  const roots: TenantTree[] = [];
  for (const node of byId.values()) {
    const parent = node.tenant.parentId ? byId.get(node.tenant.parentId) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  const sort = (nodes: TenantTree[]) => {
    nodes.sort((a, b) => a.tenant.name.localeCompare(b.tenant.name));
    nodes.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

export interface Access {
  permissions: Permission[];
  can(object: string, action: string): boolean;
}

export function accessOf(permissions: readonly Permission[]): Access {
  const granted = new Set(permissions.map((p) => `${p.object}\u0000${p.action}`));
  return { permissions: [...permissions], can: (o, a) => granted.has(`${o}\u0000${a}`) };
}

interface WorkspaceState {
  me: Me;
  tenants: TenantNode[];
  tenant: TenantNode;
  access: Access;
}

const WorkspaceContext = createContext<WorkspaceState | null>(null);

export function useWorkspace(): WorkspaceState {
  const state = useContext(WorkspaceContext);
  if (!state) throw new Error("useWorkspace outside a tenant");
  return state;
}

/** Every tenant the person may see, page by page (bounded: a switcher of 2,000 is unusable). */
export const MAX_TENANTS = 2000;

async function allTenants() {
  const first = await execute(WorkspaceDocument, { after: null });
  const nodes = [...first.tenants.nodes];
  let page = first.tenants.pageInfo;
  while (page.hasNextPage && nodes.length < MAX_TENANTS) {
    const next = await execute(WorkspaceDocument, { after: page.endCursor ?? null });
    nodes.push(...next.tenants.nodes);
    page = next.tenants.pageInfo;
  }
  return { me: first.me, tenants: nodes, truncated: page.hasNextPage };
}

export function useTenantList() {
  return useQuery({ queryKey: ["workspace"], queryFn: allTenants, staleTime: 60_000 });
}

export function usePermissions(tenantId: string | undefined) {
  return useQuery({
    queryKey: ["permissions", tenantId],
    queryFn: () => execute(TenantAccessDocument, { tenantId: tenantId! }),
    enabled: Boolean(tenantId),
    staleTime: 30_000,
  });
}

export function WorkspaceProvider(props: { me: Me; tenants: TenantNode[]; tenant: TenantNode;
  permissions: Permission[]; children: ReactNode }) {
  const { me, tenants, tenant, permissions } = props;
  const value = useMemo(() => ({ me, tenants, tenant, access: accessOf(permissions) }),
    [me, tenants, tenant, permissions]);
  return <WorkspaceContext.Provider value={value}>{props.children}</WorkspaceContext.Provider>;
}
