/** Typed access to the workspace SDK: documents from web/src/gql carry their result and
 * variable types, so a screen's data is checked against schema.graphql at build time. */
import { useGraphQL, useGraphQLMutation, useExtension, Tag, Pager, useCursor } from "@ipgov/workspace-sdk";
import type { TypedDocumentString } from "../../../../web/src/gql/graphql";
import { useT } from "./texts";

export const ASSET = "data_governance:asset";
export const TRADE_SECRET = "data_governance:trade_secret";
export const LIFECYCLE = "data_governance:lifecycle";
export const SOLUTION = "data_governance:solution";
export const PUBLICATION = "data_governance:publication_check";
/** The page size of every list (the API allows at most 100). */
export const PAGE = 20;
export const LEVELS = ["public", "internal", "confidential", "secret"] as const;
export const STAGES = ["create", "store", "use", "share", "archive", "destroy"] as const;
export const STEPS = ["nda", "access_restriction", "marking", "training"] as const;
export const LEVEL_COLOR: Record<string, string> = { public: "green", internal: "blue", confidential: "orange", secret: "red" };

type Variables = Record<string, unknown>;

export function useQ<R, V>(document: TypedDocumentString<R, V>, variables: V, options?: { enabled?: boolean }) {
  return useGraphQL<R>(document, variables as Variables, options);
}

export function useM<R, V>(document: TypedDocumentString<R, V>) {
  return useGraphQLMutation<R, V & Variables>(document);
}

export function useTenant(): string {
  return useExtension().tenant.id;
}

export function Level(props: { level: string }) {
  const t = useT();
  return <Tag color={LEVEL_COLOR[props.level]}>{t(`level_${props.level}` as "level_public")}</Tag>;
}


export const split = (v?: string) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** Tags at WCAG AA contrast: the workspace's own. */
export { Tag, Pager, useCursor };
