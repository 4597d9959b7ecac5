/** Typed access to the workspace SDK: documents from web/src/gql carry their result and
 * variable types, so a screen's data is checked against schema.graphql at build time. */
import { useGraphQL, useGraphQLMutation, useExtension, Tag } from "@ipgov/workspace-sdk";
import { Button, Space, Typography } from "antd";
import { useState } from "react";
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

/** A cursor stack: previous / next over a connection. */
export function useCursor() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1], page: cursors.length, reset: () => setCursors([null]),
    back: () => setCursors(cursors.slice(0, -1)), forward: (c: string) => setCursors([...cursors, c]),
  };
}

export function Pager(props: { cursor: ReturnType<typeof useCursor>; info?: { hasNextPage: boolean; endCursor?: string | null } }) {
  const t = useT();
  const { cursor, info } = props;
  if (cursor.page < 2 && !info?.hasNextPage) return null;
  return (
    <Space style={{ marginTop: 8 }}>
      <Button size="small" disabled={cursor.page < 2} onClick={cursor.back}>{t("previous")}</Button>
      <Typography.Text>{t("page", { page: cursor.page })}</Typography.Text>
      <Button size="small" disabled={!info?.hasNextPage} onClick={() => info?.endCursor && cursor.forward(info.endCursor)}>{t("next")}</Button>
    </Space>
  );
}

export const split = (v?: string) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

/** Tags at WCAG AA contrast: the workspace's own. */
export { Tag };
