/** The SDK's data hooks, typed by the generated documents and bound to the shown tenant. */
import { useExtension, useGraphQL, useGraphQLMutation, useGraphQLPages } from "@ipgov/workspace-sdk";
import type { TypedDocumentString } from "../../../../web/src/gql/graphql";

export const PAGE = 100; // the most any list gives at once

type Vars<V> = Omit<V, "tenantId">;

export function useTenantQuery<R, V>(document: TypedDocumentString<R, V>, variables: Vars<V>,
  options?: { enabled?: boolean }) {
  const { tenant } = useExtension();
  return useGraphQL<R>(document, { tenantId: tenant.id, ...variables }, options);
}

export function useTenantPages<R, V, N>(document: TypedDocumentString<R, V>, variables: Vars<V>,
  pick: (data: R) => { nodes: N[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }) {
  const { tenant } = useExtension();
  return useGraphQLPages<R, N>(document, { tenantId: tenant.id, ...variables }, pick);
}

/** A mutation of the shown tenant: `run(variables)` resolves to the payload's data. */
export function useTenantMutation<R, V>(document: TypedDocumentString<R, V>) {
  const { tenant } = useExtension();
  const mutation = useGraphQLMutation<R, Record<string, unknown>>(document);
  const run = (variables: Vars<V>) => mutation.mutateAsync({ tenantId: tenant.id, ...variables });
  return { ...mutation, run };
}

/** Whole days from today to a YYYY-MM-DD date (negative: past). */
export function daysUntil(date: string, today = new Date()): number {
  const [y, m, d] = date.split("-").map(Number);
  const start = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((Date.UTC(y, m - 1, d) - start) / 86_400_000);
}

/** Today plus some days, as YYYY-MM-DD in local time. */
export function isoInDays(days: number, today = new Date()): string {
  const date = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}
